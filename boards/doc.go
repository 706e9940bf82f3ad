// Package boards holds the board descriptors: each supported board as data
// (kernel and firmware blobs with their sha256, image layout, console, pins,
// RF chain and limits), in the way gokrazy keeps its boards as tables.
//
// An OEM adds a board by adding one file here that registers a Descriptor.
// The RF front-end drivers live below, in boards/rf/<chip>.
package boards
