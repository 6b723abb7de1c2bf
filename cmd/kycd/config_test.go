package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// create-batches takes 0 (automatic) to 64, from the flag or the environment; anything else is
// refused with the setting's name.
func TestConfigCreateBatches(t *testing.T) {
	c, _, err := parseConfig("serve", []string{"--create-batches", "8"})
	require.NoError(t, err)
	require.Equal(t, 8, c.CreateBatches)
	c, _, err = parseConfig("serve", nil)
	require.NoError(t, err)
	require.Zero(t, c.CreateBatches, "automatic by default")
	for _, bad := range []string{"-1", "65"} {
		_, _, err = parseConfig("serve", []string{"--create-batches", bad})
		require.ErrorContains(t, err, "create-batches")
	}
	t.Setenv("KYCD_CREATE_BATCHES", "2")
	c, _, err = parseConfig("serve", nil)
	require.NoError(t, err)
	require.Equal(t, 2, c.CreateBatches)
}

// max-image-memory sizes checks/imaging's decode budget: 512 MiB by default, from the flag or
// the environment, never below 64 MiB.
func TestConfigMaxImageMemory(t *testing.T) {
	c, _, err := parseConfig("serve", nil)
	require.NoError(t, err)
	require.Equal(t, 512<<20, c.MaxImageMemory)
	c, _, err = parseConfig("serve", []string{"--max-image-memory", "1073741824"})
	require.NoError(t, err)
	require.Equal(t, 1<<30, c.MaxImageMemory)
	_, _, err = parseConfig("serve", []string{"--max-image-memory", "1000"})
	require.ErrorContains(t, err, "max-image-memory")
	t.Setenv("KYCD_MAX_IMAGE_MEMORY", "268435456")
	c, _, err = parseConfig("serve", nil)
	require.NoError(t, err)
	require.Equal(t, 256<<20, c.MaxImageMemory)
}

// document-types takes the one list of document types (as keys and document_type do), from
// the flag or the environment, in any case; anything else is refused naming the setting and
// the list (#20: `--document-types passport` used to refuse to start).
func TestConfigDocumentTypes(t *testing.T) {
	for _, ok := range []string{"passport", "passport,id_card", "PASSPORT", "drivers_license,residence_permit"} {
		c, _, err := parseConfig("serve", []string{"--document-types", ok})
		require.NoError(t, err, ok)
		require.NoError(t, c.Document.check(nil), ok)
	}
	for _, bad := range []string{"visa", "other", "passports"} {
		c, _, err := parseConfig("serve", []string{"--document-types", bad})
		if err == nil {
			err = c.Document.check(nil)
		}
		require.ErrorContains(t, err, "document-types", bad)
		require.ErrorContains(t, err, "residence_permit", bad)
	}
	t.Setenv("KYCD_DOCUMENT_TYPES", "id_card")
	c, _, err := parseConfig("serve", nil)
	require.NoError(t, err)
	require.Equal(t, []string{"id_card"}, c.Document.types())
}

// mcp-allowed-origins takes origins comma-separated, from the flag or the environment, and
// always adds the public URL's own origin; anything that is not an origin is refused by name.
func TestConfigMCPAllowedOrigins(t *testing.T) {
	c, _, err := parseConfig("serve", []string{"--public-url", "https://kyc.example.com/base/"})
	require.NoError(t, err)
	origins, err := c.mcpAllowedOrigins()
	require.NoError(t, err)
	require.Equal(t, []string{"https://kyc.example.com"}, origins)
	c, _, err = parseConfig("serve", []string{"--public-url", "https://kyc.example.com", "--mcp-allowed-origins", "https://Agent.example.com, http://localhost:3000"})
	require.NoError(t, err)
	origins, err = c.mcpAllowedOrigins()
	require.NoError(t, err)
	require.Equal(t, []string{"https://agent.example.com", "http://localhost:3000", "https://kyc.example.com"}, origins)
	_, _, err = parseConfig("serve", []string{"--mcp-allowed-origins", "https://agent.example.com/path"})
	require.ErrorContains(t, err, "mcp-allowed-origins")
	t.Setenv("KYCD_MCP_ALLOWED_ORIGINS", "*")
	_, _, err = parseConfig("serve", nil)
	require.ErrorContains(t, err, "mcp-allowed-origins")
}

// liveness-steps must hold a head turn and a blink or open_mouth (#15: a pool of turns alone
// let a warped still photo pass); liveness-max-challenges bounds the redraws.
func TestConfigLivenessSteps(t *testing.T) {
	c, _, err := parseConfig("serve", nil)
	require.NoError(t, err)
	steps, err := c.Biometrics.steps()
	require.NoError(t, err)
	require.Len(t, steps, 5)
	require.Equal(t, 3, c.Biometrics.MaxChallenges)
	for _, bad := range []string{"turn_left,turn_right,look_straight", "blink,open_mouth", "turn_left,smile"} {
		c, _, err := parseConfig("serve", []string{"--liveness-steps", bad})
		if err == nil {
			_, err = c.Biometrics.steps()
		}
		require.ErrorContains(t, err, "liveness-steps", bad)
	}
	c, _, err = parseConfig("serve", []string{"--liveness-steps", "turn_left,open_mouth", "--liveness-max-challenges", "5"})
	require.NoError(t, err)
	steps, err = c.Biometrics.steps()
	require.NoError(t, err)
	require.Len(t, steps, 2)
	require.Equal(t, 5, c.Biometrics.MaxChallenges)
	c, _, err = parseConfig("serve", []string{"--liveness-max-challenges", "50"})
	if err == nil {
		_, err = c.Biometrics.steps()
	}
	require.ErrorContains(t, err, "liveness-max-challenges")
}

// kycd mcp and kycd rpc serve no HTTP: without a public URL their hosted_url links point at
// the default listen address, and they say so at start (#20).
func TestPublicURLWarning(t *testing.T) {
	t.Setenv("KYCD_PUBLIC_URL", "")
	c, _, err := parseConfig("mcp", nil)
	require.NoError(t, err)
	require.True(t, c.PublicURLDefault)
	require.Contains(t, publicURLWarning(c), "hosted_url links will point at http://127.0.0.1:8080")
	require.Contains(t, publicURLWarning(c), "KYCD_PUBLIC_URL")
	c, _, err = parseConfig("mcp", []string{"--public-url", "https://kyc.example.com/"})
	require.NoError(t, err)
	require.False(t, c.PublicURLDefault)
	require.Empty(t, publicURLWarning(c))
	require.Equal(t, "https://kyc.example.com", c.PublicURL)
}
