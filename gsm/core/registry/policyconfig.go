package registry

import "github.com/gsmbox/gsmbox/gsm/core/registry/policy"

// PolicyConfig is policy.Config: the registration policy as the
// [subscribers] section of gsmbox.toml spells it.
type PolicyConfig = policy.Config
