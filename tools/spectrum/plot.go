package main

import (
	"image"
	"image/color"
	"math"
	"unicode"
)

// canvas is a minimal raster plotter: lines, dots and 5×7 text.
type canvas struct {
	img *image.RGBA
}

func newCanvas(w, h int) *canvas {
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h))}
	for i := range c.img.Pix {
		c.img.Pix[i] = 0xff
	}
	return c
}

func (c *canvas) set(x, y int, col color.RGBA) {
	if image.Pt(x, y).In(c.img.Rect) {
		c.img.SetRGBA(x, y, col)
	}
}

// line draws from (x0,y0) to (x1,y1) with the given width; dash > 0 draws
// dash pixels on, dash off.
func (c *canvas) line(x0, y0, x1, y1 float64, width int, dash int, col color.RGBA) {
	n := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
	for i := 0; i <= n; i++ {
		if dash > 0 && (i/dash)%2 == 1 {
			continue
		}
		t := float64(i) / float64(n)
		x := int(math.Round(x0 + (x1-x0)*t))
		y := int(math.Round(y0 + (y1-y0)*t))
		for dx := 0; dx < width; dx++ {
			for dy := 0; dy < width; dy++ {
				c.set(x+dx-width/2, y+dy-width/2, col)
			}
		}
	}
}

func (c *canvas) dot(x, y float64, r int, col color.RGBA) {
	for dx := -r; dx <= r; dx++ {
		for dy := -r; dy <= r; dy++ {
			if dx*dx+dy*dy <= r*r {
				c.set(int(x)+dx, int(y)+dy, col)
			}
		}
	}
}

// text draws s with its top-left corner at (x, y), each font pixel scale
// pixels wide; it returns the width drawn.
func (c *canvas) text(x, y int, s string, scale int, col color.RGBA) int {
	cx := x
	for _, r := range s {
		g, ok := glyphs[unicode.ToUpper(r)]
		if !ok {
			g = glyphs['_']
		}
		for row, bits := range g {
			for b := 0; b < 5; b++ {
				if bits>>(4-b)&1 == 1 {
					for i := 0; i < scale; i++ {
						for j := 0; j < scale; j++ {
							c.set(cx+b*scale+i, y+row*scale+j, col)
						}
					}
				}
			}
		}
		cx += 6 * scale
	}
	return cx - x
}

func textWidth(s string, scale int) int { return len([]rune(s)) * 6 * scale }

// vtext draws s rotated a quarter turn counter-clockwise, reading upwards,
// with its bottom-left at (x, y).
func (c *canvas) vtext(x, y int, s string, scale int, col color.RGBA) {
	cy := y
	for _, r := range s {
		g, ok := glyphs[unicode.ToUpper(r)]
		if !ok {
			g = glyphs['_']
		}
		for row, bits := range g {
			for b := 0; b < 5; b++ {
				if bits>>(4-b)&1 == 1 {
					for i := 0; i < scale; i++ {
						for j := 0; j < scale; j++ {
							c.set(x+row*scale+j, cy-b*scale-i, col)
						}
					}
				}
			}
		}
		cy -= 6 * scale
	}
}
