# powercut_report.py DESIGN LOGDIR JSONL: the docs/appliance.md table row of a power-cut
# campaign (TestQEMUPowerCutCampaign with GSMBOX_QEMU_LOGS=LOGDIR and
# GSMBOX_POWERCUT_OUT=JSONL), re-judged from the saved consoles: the config
# verdict and the fsck class use the same rules as the Go harness.
import json, os, re, sys
# usage: report.py DESIGN LOGDIR JSONL
design, logdir, jl = sys.argv[1:4]
logs = sorted(os.listdir(logdir))
rows = [json.loads(l) for l in open(jl)]
benign = re.compile(r'(?i)^(warning: filesystem is fat32 according to|\s*but has only \d+ clusters, less than|\s*this may lead to problems|fsck\.fat |there are differences between boot sector and its backup|this is mostly harmless|\s*65:01/00|\s*not automatically fixing|dirty bit is set|\s*automatically removing dirty bit|free cluster summary wrong|\s*auto-correcting|leaving filesystem unchanged|free (blocks|inodes) count wrong|fix\? no|padding at end of inode bitmap|e2fsck |pass \d|warning: skipping journal recovery|[^:]*: \d+(/\d+)? files|[^:]*: clean|[^:]*: recovering journal|[^:]*: \*+ warning|\s*$)')
leak = re.compile(r'(?i)^(reclaimed \d+ unused clusters|clearing orphaned inode|unattached (zero-length )?inode|block bitmap differences|inode bitmap differences|free blocks count wrong for group|free inodes count wrong for group|directories count wrong for group|\s*[-+(]?\d)')
def fclass(out):
    c = 'clean'
    for l in out.split('\n'):
        if benign.match(l): continue
        if leak.match(l): c = 'leak'; continue
        return 'damage'
    return c
def read(i):
    return open(os.path.join(logdir, logs[i]), errors='replace').read()
inforce, wrote = 62, False
out = []
for r in rows:
    k = r['cut'] - 1
    cut, ver = read(k), read(k + 1)
    stick = 70 + k % 2 * 5
    if re.search(r'gsmbox\.toml APPLIED.*safe to remove', cut):
        ok = {stick}
    elif re.search(r'could not be read|NO CHANGES', cut):
        ok = {inforce}
    else:
        ok = {inforce, stick}
    v = {}
    v['booted'] = 'services started' in ver
    v['onair'] = 'on air' in ver
    v['mounted'] = 'data partition mounted' in ver
    m = re.search(r'subscriber registry was damaged[^\n]*', ver)
    v['registry'] = 'intact' if not m else ('lost' if 'no good backup existed' in m.group(0) else 'recovered')
    if not m and re.search(r'registry: open [^\n]*(read-only|input/output)', ver) and not v['onair']:
        v['registry'] = 'unopened'  # the file system would not let the cell open it
    m = re.search(r'configuration loaded" from="([^"]+)" arfcn=(\d+)', ver)
    cfg = 'lost'
    if m:
        src, a = m.group(1), int(m.group(2))
        if src.endswith('gsmbox.prev.toml'):
            cfg = 'last-good'
        elif (src.startswith('data partition') or not wrote) and a in ok:
            cfg = 'intact'
        wrote = wrote or src.startswith('data partition')
        inforce = a
    v['config'] = cfg
    v['fsck'] = fclass(r['fsck_out'])
    v['writes'] = ','.join(w for w, p in [('apply', r'gsmbox\.toml APPLIED'), ('import', r'subscribers\.csv imported'), ('reg', r'virtual phone registered')] if re.search(p, cut))
    v['cut'] = r['cut']; v['at'] = round(r['cut_after_on_air_s'], 1); v['ok'] = sorted(ok); v['src'] = m.group(1) if m else ''
    v['fsck_out'] = r['fsck_out']
    out.append(v)
n = len(out)
cnt = lambda f: sum(1 for v in out if f(v))
print(f"| {design} | {n} | {cnt(lambda v: v['booted'])} | {cnt(lambda v: v['onair'])} | {cnt(lambda v: v['mounted'])} | "
      f"{cnt(lambda v: v['registry']=='intact')} / {cnt(lambda v: v['registry']=='recovered')} / {cnt(lambda v: v['registry']=='lost')} / {cnt(lambda v: v['registry']=='unopened')} | "
      f"{cnt(lambda v: v['config']=='intact')} / {cnt(lambda v: v['config']=='last-good')} / {cnt(lambda v: v['config']=='lost')} | "
      f"{cnt(lambda v: v['fsck']=='clean')} / {cnt(lambda v: v['fsck']=='leak')} / {cnt(lambda v: v['fsck']=='damage')} |")
print('writes before cut:', {w: cnt(lambda v, w=w: w in v['writes']) for w in ['apply', 'import', 'reg']})
for v in out:
    if v['registry'] != 'intact' or v['config'] != 'intact' or v['fsck'] == 'damage' or not v['onair']:
        print('  cut', v['cut'], 'at', v['at'], v['writes'], 'reg', v['registry'], 'cfg', v['config'], v['src'], v['ok'], 'fsck', v['fsck'])
        if v['fsck'] == 'damage':
            print('     ', v['fsck_out'].replace('\n', ' | ')[:400])
