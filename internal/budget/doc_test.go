package budget

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-genai/otelcol-genai/internal/docstest"
)

// TestDocExample holds the example in docs/budgets.md to the code: it
// decodes as the configuration would, every budget in it is valid, and
// its resolution for a user of acme is the one the document walks through
// (less the budgets the walk-through leaves out).
func TestDocExample(t *testing.T) {
	var cfg struct {
		Budgets []Spec `mapstructure:"budgets"`
	}
	require.NoError(t, confmap.NewFromStringMap(docstest.YAMLBlock(t, "../../docs/budgets.md", "## A budget")).Unmarshal(&cfg))
	require.Len(t, cfg.Budgets, 5)
	budgets := make([]*Budget, len(cfg.Budgets))
	for i, s := range cfg.Budgets {
		b, err := New(s)
		require.NoError(t, err, s.ID)
		budgets[i] = b
	}
	assert.Equal(t, "20.5", budgets[2].Limit().String())
	assert.Equal(t, []int{80, 100}, budgets[1].Thresholds())
	got := ids(Resolve(budgets, &Subject{Dimensions: dims("user", "u1", "tenant", "acme")}))
	assert.Equal(t, []applied{{"acme-users-weekly", "u1"}, {"acme-monthly", ""}, {"every-user-daily", "u1"}, {"everything", ""}}, got)
}
