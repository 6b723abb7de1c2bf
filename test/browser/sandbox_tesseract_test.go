//go:build tesseract

package browser_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// TestSandboxFlowInChromium completes a test-mode verification in Chromium with the sample
// buttons alone, on a phone and on a desktop (#27): the sample passport is read by the real
// document engine, the sample bill by the real proof-of-address check, the name by real
// screening, and the verification is approved — no camera, no real document.
func TestSandboxFlowInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
		require.NoError(t, err)
		eng, err := address.NewEngine(address.Config{})
		require.NoError(t, err, "proof of address needs poppler-utils (scripts/setup/address.sh)")
		adr := verify.NewAddress(s, eng, verify.AddressOptions{})
		return map[models.Check]verify.CheckRunner{models.CheckDocument: docs, models.CheckProofOfAddress: adr.Runner()},
			func(d *tools.Deps) { d.Documents, d.Address = docs, adr }
	}})
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			v := h.create(map[string]any{"checks": []string{"document", "proof_of_address", "screening"}, "document_type": "passport",
				"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}})
			ctx := h.tab(t, vp)
			do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")))
			require.Contains(t, text(t, ctx, ".test-badge"), "Test mode")
			do(t, ctx, chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")),
				chromedp.WaitVisible(`button[data-op="sample-document"]`))
			shot(t, ctx, "sandbox-1-document-"+vp.name)
			do(t, ctx, chromedp.Click(`button[data-op="sample-document"]`), chromedp.WaitVisible(chromedp.ID("line1")))
			do(t, ctx,
				chromedp.SendKeys(chromedp.ID("line1"), "Heidestraße 17"),
				chromedp.SendKeys(chromedp.ID("postal_code"), "51147"),
				chromedp.SendKeys(chromedp.ID("city"), "Köln"))
			shot(t, ctx, "sandbox-2-address-"+vp.name)
			do(t, ctx, chromedp.Click(chromedp.ID("sample-bill")), chromedp.WaitVisible(chromedp.ID("submit")))
			do(t, ctx, chromedp.Click(chromedp.ID("submit")))
			require.Equal(t, "approved", waitResult(t, ctx), "every check passed on the samples")
			shot(t, ctx, "sandbox-3-result-"+vp.name)
		})
	}
}
