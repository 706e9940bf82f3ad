package comp128

import "encoding/binary"

// V1 runs COMP128-1 on key ki and challenge rand.
func V1(ki, rand *[16]byte) (sres [4]byte, kc [8]byte) {
	var x [32]byte
	copy(x[16:], rand[:])
	for round := range 8 {
		copy(x[:16], ki[:])
		compress(&x)
		if round < 7 {
			permute(&x)
		}
	}
	// SRES is the first 8 nibbles of x.
	for i := range sres {
		sres[i] = x[2*i]<<4 | x[2*i+1]
	}
	// Kc: the 14 nibbles x[18..31] form 56 bits; A8 keeps the low 54 of
	// them and appends ten zero bits.
	var v uint64
	for _, n := range x[18:32] {
		v = v<<4 | uint64(n)
	}
	binary.BigEndian.PutUint64(kc[:], (v&(1<<54-1))<<10)
	clear(x[:])
	return sres, kc
}

// compress runs the five levels of the butterfly compression of COMP128-1.
// Level l pairs bytes 16>>l apart and maps them through table l, which has
// 512>>l entries holding values below 256>>l.
func compress(x *[32]byte) {
	tables := [5][]byte{t0[:], t1[:], t2[:], t3[:], t4[:]}
	for l, tab := range tables {
		span := 16 >> l    // distance between the two bytes of a pair
		mask := 512>>l - 1 // table index modulo its size
		for g := 0; g < 32; g += 2 * span {
			for j := g; j < g+span; j++ {
				a, b := int(x[j]), int(x[j+span])
				x[j] = tab[(a+2*b)&mask]
				x[j+span] = tab[(2*a+b)&mask]
			}
		}
	}
}

// permute forms the 128 bits held as nibbles in x[0..31] (most significant
// bit of each nibble first) and writes them, permuted by i → 17·i mod 128,
// into x[16..31] as the next round's second input half.
func permute(x *[32]byte) {
	var out [16]byte
	for i := range 128 {
		s := 17 * i % 128
		bit := x[s/4] >> (3 - s%4) & 1
		out[i/8] |= bit << (7 - i%8)
	}
	copy(x[16:], out[:])
}

// V2 runs COMP128-2: COMP128-3 with the last 10 bits of Kc set to zero.
func V2(ki, rand *[16]byte) (sres [4]byte, kc [8]byte) {
	sres, kc = V3(ki, rand)
	kc[6] &= 0xFC
	kc[7] = 0
	return sres, kc
}

// V3 runs COMP128-3.
func V3(ki, rand *[16]byte) (sres [4]byte, kc [8]byte) {
	// The algorithm works on the octet-reversed inputs.
	var key, state [16]byte
	for i := range 16 {
		key[i] = ki[15-i] ^ rand[15-i]
		state[i] = rand[15-i]
	}
	for range 8 {
		v23Round(&state, &key)
	}
	// Output octet i is state[15-i]; octets 4..7 are not used.
	for i := range 4 {
		sres[i] = state[15-i]
	}
	for i := range 8 {
		kc[i] = state[7-i]
	}
	clear(key[:])
	clear(state[:])
	return sres, kc
}

// v23Round is one of the eight rounds of COMP128-2/3: five butterfly
// levels mixing state with key through the two permutation tables, then a
// bit permutation of the 256-bit working buffer back into 128 bits.
func v23Round(state, key *[16]byte) {
	var w [32]byte // w[0:16] the state half, w[16:32] the key half
	copy(w[:16], state[:])
	copy(w[16:], key[:])
	var tmp [16]byte
	for l := range 5 {
		for z := range 16 {
			tmp[z] = v23t0[v23t1[w[16+z]]^w[z]]
		}
		stride := 1 << l
		for j := range stride {
			for k := range 16 >> l {
				t := tmp[k*stride+j]
				w[(2*k+1)*stride+j] = v23t0[v23t1[t]^w[16+k*stride+j]]
				w[2*k*stride+j] = t
			}
		}
	}
	// Bit q of the result (counting from the least significant bit of
	// octet 0) is bit 19·(q+1) mod 256 of w, counted the same way.
	*state = [16]byte{}
	for q := range 128 {
		p := 19 * (q + 1) % 256
		state[q/8] |= (w[p/8] >> (p % 8) & 1) << (q % 8)
	}
	clear(w[:])
}
