package main

import "github.com/gsmbox/gsmbox/firmware/node"

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = node.FrameDuration
