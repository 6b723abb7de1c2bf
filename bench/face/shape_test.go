//go:build onnx

package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseShape(t *testing.T) {
	for in, want := range map[string]captureShape{"5x6": {5, 6, 0}, "8x10": {8, 10, 0}, "8x8+6": {8, 8, 6}} {
		got, err := parseShape(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for in, msg := range map[string]string{"8": "want FPSx", "0x6": "want FPSx", "8x1": "want FPSx", "8x8+": "want FPSx",
		"8x8+-1": "want FPSx", "8x10+6": "36 frames, more than liveness.MaxFrames (30)"} {
		_, err := parseShape(in)
		require.ErrorContains(t, err, msg, in)
	}
	require.Equal(t, 30, captureShape{8, 8, 6}.frames())
	require.Equal(t, 3, captureShape{FPS: 8}.sampleRate(24), "every third frame of a 24 fps video")
}
