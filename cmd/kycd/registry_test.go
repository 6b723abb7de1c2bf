package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/business/goldencopy"
	"github.com/kycd/kycd/internal/testfiles"
)

func TestBusinessSettings(t *testing.T) {
	t.Parallel()
	ok := BusinessSettings{GLEIFURL: "https://api.gleif.org/api/v1", RegistryMode: "auto", CacheTTL: time.Hour, Timeout: 20 * time.Second,
		HighRisk: "ir, kp,US-CA"}
	require.NoError(t, ok.check(nil))
	hr, err := ok.highRisk()
	require.NoError(t, err)
	require.Equal(t, []string{"IR", "KP", "US-CA"}, hr)
	none := BusinessSettings{HighRisk: "none"}
	hr, err = none.highRisk()
	require.NoError(t, err)
	require.Equal(t, []string{}, hr, "none turns the check off")
	for _, tc := range []struct {
		mod  func(*BusinessSettings)
		says string
	}{
		{func(s *BusinessSettings) { s.RegistryMode = "maybe" }, "registry-mode"},
		{func(s *BusinessSettings) { s.GLEIFURL = "ftp://x" }, "gleif-url"},
		{func(s *BusinessSettings) { s.HighRisk = "Iran" }, "high-risk-jurisdictions"},
		{func(s *BusinessSettings) { s.Timeout = 0 }, "business-timeout"},
	} {
		s := ok
		tc.mod(&s)
		require.ErrorContains(t, s.check(nil), tc.says)
	}
}

// `kycd registry import` loads Golden Copy files into the offline register, and auto mode
// then uses it.
func TestRegistryImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files, _, err := goldencopy.GenerateFiles(testfiles.Path(t, "lei", "gleif_api_v1"), t.TempDir(), true)
	require.NoError(t, err)
	dataDir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"registry", "status", "--data-dir", dataDir}, nil, &out, &out))
	require.Contains(t, out.String(), "no offline register")
	out.Reset()
	require.NoError(t, run(ctx, []string{"registry", "import", "--data-dir", dataDir, "--source", "gleif", files.LEI, files.RR, files.Repex}, nil, &out, &out))
	require.Regexp(t, `imported \d+ records, \d+ relationships, \d+ reporting exceptions .* rows/s`, out.String())
	out.Reset()
	require.NoError(t, run(ctx, []string{"registry", "status", "--data-dir", dataDir}, nil, &out, &out))
	require.Contains(t, out.String(), "offline register gli_")

	cfg, _, err := parseConfig("serve", []string{"--data-dir", dataDir})
	require.NoError(t, err)
	store, err := openStore(ctx, cfg)
	require.NoError(t, err)
	defer store.Close()
	b, err := startBusiness(ctx, cfg, store, nil, nil)
	require.NoError(t, err)
	require.Equal(t, "offline", b.Mode(), "auto: offline once a register is loaded")
	cfg.Business.RegistryMode = "online"
	b, err = startBusiness(ctx, cfg, store, nil, nil)
	require.NoError(t, err)
	require.Equal(t, "online", b.Mode())

	require.ErrorContains(t, run(ctx, []string{"registry", "import", "--data-dir", dataDir, "--source", "bvd", files.LEI}, nil, &out, &out), "unknown source")
}
