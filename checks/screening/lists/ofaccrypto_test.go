package lists

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/internal/testfiles"
)

func TestOFACCryptoFiles(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "sanctions", "ofac_crypto_addresses")
	l, err := Load(SourceOFACCrypto, dir)
	require.NoError(t, err)
	require.Greater(t, len(l.Entities), 300)
	require.Contains(t, l.Version.Files, "sanctioned_addresses_ARB.txt")
	var multi *Entity
	for i := range l.Entities {
		if l.Entities[i].SourceID == "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c" {
			multi = &l.Entities[i]
		}
	}
	require.NotNil(t, multi)
	var curs []string
	for _, id := range multi.Identifiers {
		require.Equal(t, IDCrypto, id.Type)
		curs = append(curs, id.Currency)
	}
	require.Subset(t, curs, []string{"ARB", "BSC", "ETH"}, "one listing per chain")

	// The SDN loader pointed at this folder says what to do instead.
	_, err = Load(SourceOFACSDN, dir)
	require.ErrorContains(t, err, `load it as source "ofac_crypto"`)

	// Bad input names the file and line.
	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "sanctioned_addresses_ETH.txt"), []byte("0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c\nnot an address\n"), 0o600))
	_, err = Load(SourceOFACCrypto, bad)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 2, pe.Line)
	require.True(t, strings.Contains(err.Error(), "sanctioned_addresses_ETH.txt"), err.Error())
	_, err = Load(SourceOFACCrypto, t.TempDir())
	require.ErrorContains(t, err, "no sanctioned_addresses_")
}
