package core

import "github.com/gsmbox/gsmbox/gsm/tdma"

var defaultSDCCH8 = []tdma.TN{1, 2} // firmware/config.DefaultSDCCH8Timeslots
