package samplefaces

import (
	"bytes"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every sample is a small JPEG of the size the flow and the passport renderer expect, and the
// accessors hand out copies (a caller cannot change the embedded bytes).
func TestSamples(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds {
		b, err := Selfie(k)
		require.NoError(t, err, k)
		require.Less(t, len(b), 60<<10, k)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err, k)
		require.GreaterOrEqual(t, cfg.Width, 400, k)
		b[0] = 0
		again, _ := Selfie(k)
		require.Equal(t, byte(0xFF), again[0], "a copy, not the embedded bytes")
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(Portrait()))
	require.NoError(t, err)
	require.Equal(t, 300, cfg.Width)
	require.Equal(t, 400, cfg.Height)
	_, err = Selfie("obama")
	require.ErrorContains(t, err, `unknown kind "obama"`)
}
