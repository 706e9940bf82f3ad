package registry

// OpenNoSync opens without fsync, for tests that need many commits and do
// not test durability against power loss.
func OpenNoSync(path string) (*DB, error) { return Open(path, &Options{noSync: true}) }

// OpenGroupCommit opens with GroupCommit and fsync.
func OpenGroupCommit(path string) (*DB, error) { return Open(path, &Options{GroupCommit: true}) }
