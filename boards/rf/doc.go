// Package rf brings up and guards a board's RF front end: the chain
// description (chips, buses, pins, limits), the bring-up sequence, the
// safety interlocks that keep the transmitter in band and under its
// power limit, and the reference-clock discipline. Chip drivers live in
// boards/rf/<chip>, in periph.io style.
package rf
