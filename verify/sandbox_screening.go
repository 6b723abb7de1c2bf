package verify

import (
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/checks/screening/lists"
	"github.com/kycd/kycd/models"
)

// Sandbox names and crypto addresses of screen_person, screen_entity and screen_transaction.
// With a test key, a query is also screened against a small list of made-up entities (source
// "sandbox") by the real matcher, so "Test Sanctioned Person" — or a typo of it — hits the
// way a listed name would, with a real explanation; and an address of the sandbox list is
// screened by the real crypto screener over that list. Nothing of it exists with a live key.

// SandboxSource is the list source of the sandbox entities.
const SandboxSource = "sandbox"

// The sandbox crypto addresses: listed on ETH (severe when screened on ETH) and on BSC
// (high when screened on ETH: the same key listed for another chain).
const (
	sandboxAddressSevere = "0x7e57000000000000000000000000000000000003"
	sandboxAddressHigh   = "0x7e57000000000000000000000000000000000002"
	sandboxAddressLow    = "0x7e57000000000000000000000000000000000001"
)

var sandboxEntities = []lists.Entity{
	{Source: SandboxSource, SourceID: "SANDBOX-1", Type: lists.TypePerson, Programs: []string{"SANDBOX"}, Topics: []string{"sanction"},
		Names:        []lists.Name{{Full: "Test Sanctioned Person", Kind: lists.KindPrimary, Quality: lists.QualityStrong}},
		DatesOfBirth: []string{"1970-01-01"}, Nationalities: []string{"GB"}},
	{Source: SandboxSource, SourceID: "SANDBOX-2", Type: lists.TypePerson, Programs: []string{"SANDBOX-PEP"}, Topics: []string{lists.TopicPEP},
		Names: []lists.Name{{Full: "Test Politically Exposed", Kind: lists.KindPrimary, Quality: lists.QualityStrong}}},
	{Source: SandboxSource, SourceID: "SANDBOX-3", Type: lists.TypeOrganization, Programs: []string{"SANDBOX"}, Topics: []string{"sanction"},
		Names: []lists.Name{{Full: "Test Sanctioned Company Ltd", Kind: lists.KindPrimary, Quality: lists.QualityStrong}},
		Identifiers: []lists.Identifier{
			{Type: lists.IDCrypto, Value: sandboxAddressSevere, Currency: "ETH"},
			{Type: lists.IDCrypto, Value: sandboxAddressHigh, Currency: "BSC"},
		}},
}

type sandboxLists struct {
	index  *screening.Index
	crypto *crypto.Screener
	listed map[string]bool // lower-cased sandbox addresses
}

// SandboxListVersion is the version a result names for the sandbox list.
func SandboxListVersion() lists.ListVersion {
	return lists.ListVersion{Source: SandboxSource, Label: "test mode only", LoadedAt: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
		SHA256: "sandbox", Entities: len(sandboxEntities)}
}

var sandbox = sync.OnceValue(func() *sandboxLists {
	l := lists.LoadedList{Version: SandboxListVersion(), Entities: sandboxEntities}
	out := &sandboxLists{index: screening.NewIndex(l), listed: map[string]bool{}}
	cl := crypto.NewLists()
	for _, e := range sandboxEntities {
		for _, id := range e.Identifiers {
			if id.Type == lists.IDCrypto {
				if err := cl.AddListed(SandboxSource, id.Currency, id.Value, e.SourceID); err != nil {
					panic("sandbox crypto list: " + err.Error())
				}
				out.listed[strings.ToLower(id.Value)] = true
			}
		}
	}
	cs, err := crypto.NewScreener(cl, nil)
	if err != nil {
		panic("sandbox crypto screener: " + err.Error())
	}
	out.crypto = cs
	return out
})

func init() {
	AddSandboxRules(
		SandboxRule{Value: "Test Sanctioned Person", Applies: "screen_person / screen_entity: name", Result: "a strong sanctions hit (source sandbox)",
			Description: "a listed person of the sandbox list; close spellings hit too, scored by the real matcher"},
		SandboxRule{Value: "Test Politically Exposed", Applies: "screen_person / screen_entity: name", Result: "a PEP hit (category pep)",
			Description: "a politically exposed person of the sandbox list"},
		SandboxRule{Value: "Test Sanctioned Company Ltd", Applies: "screen_entity: name", Result: "a strong sanctions hit (source sandbox)",
			Description: "a listed organisation of the sandbox list"},
		SandboxRule{Value: sandboxAddressSevere, Applies: "screen_transaction: address (chain ETH)", Result: "risk severe, sanctioned_address",
			Description: "an address of the sandbox list's organisation, listed for ETH"},
		SandboxRule{Value: sandboxAddressHigh, Applies: "screen_transaction: address (chain ETH)", Result: "risk high, sanctioned_key_other_chain",
			Description: "an address of the sandbox list's organisation listed for BSC, screened on ETH"},
		SandboxRule{Value: sandboxAddressLow, Applies: "screen_transaction: address (chain ETH)", Result: "risk low",
			Description: "a valid address on no list (any live-mode address behaves so too); a Bitcoin testnet address (tb1…) gives medium, testnet_address, in either mode"},
	)
}

// SandboxScreen screens q against the sandbox list in test mode (nil in live mode, and when
// the query names its sources).
func SandboxScreen(mode models.Mode, q screening.Query) []screening.Hit {
	if mode != models.ModeTest || len(q.Sources) > 0 {
		return nil
	}
	return sandbox().index.Screen(q)
}

// SandboxCrypto returns the screener over the sandbox list's addresses when a test-mode request
// names one of them (as address or counterparty), and the address; nil otherwise (always in
// live mode).
func SandboxCrypto(mode models.Mode, addresses ...string) (*crypto.Screener, string) {
	if mode != models.ModeTest {
		return nil, ""
	}
	s := sandbox()
	for _, a := range addresses {
		if s.listed[strings.ToLower(strings.TrimSpace(a))] {
			return s.crypto, strings.TrimSpace(a)
		}
	}
	return nil, ""
}

// SandboxEntity is the sandbox list's entity with this id, or nil (any other source).
func SandboxEntity(source, id string) *lists.Entity {
	if source != SandboxSource {
		return nil
	}
	for i := range sandboxEntities {
		if sandboxEntities[i].SourceID == id {
			return &sandboxEntities[i]
		}
	}
	return nil
}
