package registrytest

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

func TestMemoryStore(t *testing.T) {
	StoreSuite(t, func(t *testing.T) registry.Store { return NewStore() })
}
