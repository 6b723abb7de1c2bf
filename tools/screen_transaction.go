package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/verify"
)

// ScreenTransactionInput is an address and/or a transaction on a chain.
type ScreenTransactionInput struct {
	Chain        string `json:"chain" jsonschema:"chain or token code: BTC (or XBT), ETH, ARB, BSC, ETC, POL, OP, BASE, AVAX, TRX, LTC, BCH, BSV, BTG, XMR, XRP, ZEC, DASH, XVG, or a token: USDT, USDC (its ledger is taken from the address form)" minLength:"1" maxLength:"16"`
	Address      string `json:"address,omitempty" jsonschema:"your customer's address, validated for the chain; an address, a tx_hash or both" maxLength:"256"`
	TxHash       string `json:"tx_hash,omitempty" jsonschema:"a transaction of the address; with a node for the chain, every counterparty is screened" maxLength:"130"`
	Amount       string `json:"amount,omitempty" jsonschema:"amount in the asset's unit (12.5); validated and echoed, not priced" maxLength:"64"`
	Counterparty string `json:"counterparty,omitempty" jsonschema:"the other side's address, when you know it" maxLength:"256"`
}

// TransactionScreening is the verdict on an address or transaction.
type TransactionScreening struct {
	Chain          string          `json:"chain" jsonschema:"the ledger screened (BTC, ETH, TRX, …)"`
	Asset          string          `json:"asset,omitempty" jsonschema:"the token, when the request named one (USDT, USDC)"`
	Address        *CryptoAddress  `json:"address,omitempty" jsonschema:"what the address is, when one was given"`
	Amount         string          `json:"amount,omitempty" jsonschema:"the amount as given"`
	Risk           string          `json:"risk" jsonschema:"the highest risk among the reasons; low with no reason" enumof:"crypto.AllRisks"`
	Reasons        []CryptoReason  `json:"reasons" jsonschema:"every finding, most severe first"`
	Matches        []CryptoMatch   `json:"matches,omitempty" jsonschema:"the listed addresses that matched"`
	Counterparties []CryptoParty   `json:"counterparties,omitempty" jsonschema:"the other addresses screened: the counterparty given and the transaction's parties"`
	TxHash         string          `json:"tx_hash,omitempty" jsonschema:"the transaction hash in the form nodes use"`
	TxScreened     bool            `json:"tx_screened" jsonschema:"true only when a node returned the transaction and every party in it was screened"`
	Transaction    *CryptoTx       `json:"transaction,omitempty" jsonschema:"what the node said about the transaction"`
	Lists          []CryptoListVer `json:"lists" jsonschema:"the address lists used, with the sanctions list versions they came from"`
	Forced         bool            `json:"forced,omitempty" jsonschema:"test mode: screened against the sandbox list (list_sandbox_values)"`
	ForcedBy       string          `json:"forced_by,omitempty" jsonschema:"the sandbox address"`
}

// CryptoAddress is a validated address.
type CryptoAddress struct {
	Input            string   `json:"input" jsonschema:"the address as given"`
	Normalized       string   `json:"normalized" jsonschema:"the canonical spelling used for list matching"`
	Type             string   `json:"type" jsonschema:"p2pkh, p2sh, p2wpkh, p2wsh, p2tr, account, standard, integrated, subaddress, sapling, unified, …"`
	Encoding         string   `json:"encoding" jsonschema:"base58check, bech32, bech32m, cashaddr, hex, monero_base58 or ripple_base58check"`
	Network          string   `json:"network" jsonschema:"mainnet, testnet, regtest or stagenet"`
	ChecksumVerified bool     `json:"checksum_verified" jsonschema:"false only for an EVM address written all in one case (no EIP-55 checksum)"`
	Shielded         bool     `json:"shielded,omitempty" jsonschema:"a Zcash shielded address, whose transactions cannot be screened"`
	Notes            []string `json:"notes,omitempty" jsonschema:"notable properties of the address"`
}

// CryptoReason is one finding.
type CryptoReason struct {
	Code    string `json:"code" jsonschema:"sanctioned_address, sanctioned_counterparty, sanctioned_key_other_chain, counterparty_key_other_chain, invalid_address, lists_not_loaded, invalid_counterparty, counterparty_unscreened, invalid_tx_hash, tx_not_found, address_not_in_transaction, privacy_coin, shielded_address, testnet_address, undefined_witness_version, burn_address or non_checksummed_address"`
	Risk    string `json:"risk" jsonschema:"low, medium, high or severe" enumof:"crypto.AllRisks"`
	Address string `json:"address,omitempty" jsonschema:"the address it is about"`
	Detail  string `json:"detail" jsonschema:"what was found, for a person"`
}

// CryptoMatch is a listed address that matched.
type CryptoMatch struct {
	Address    string `json:"address" jsonschema:"the screened address that matched"`
	Role       string `json:"role" jsonschema:"subject, counterparty, or its role in the transaction (from, to, input, output, …)"`
	Kind       string `json:"kind" jsonschema:"exact (the same destination on the same chain) or same_key (the same key or script hash in another form or on another chain)" enum:"exact,same_key"`
	Source     string `json:"source" jsonschema:"the sanctions list (ofac_sdn, …)"`
	SourceID   string `json:"source_id,omitempty" jsonschema:"the listed party's id on that list (the OFAC ent_num)"`
	EntityName string `json:"entity_name,omitempty" jsonschema:"the listed party's name"`
	ListedAs   string `json:"listed_as" jsonschema:"the currency code the list gives (XBT, ETH, USDT, …)"`
	Listed     string `json:"listed_address" jsonschema:"the address exactly as listed"`
	Note       string `json:"note,omitempty" jsonschema:"an oddity of the listing"`
}

// CryptoParty is a screened counterparty.
type CryptoParty struct {
	Address string `json:"address" jsonschema:"the address"`
	Role    string `json:"role" jsonschema:"counterparty, or its role in the transaction"`
	Valid   bool   `json:"valid" jsonschema:"false when it does not validate for the chain"`
	Listed  bool   `json:"listed" jsonschema:"true when a list entry matched"`
}

// CryptoTx is what a node returned about a transaction.
type CryptoTx struct {
	Hash       string        `json:"hash" jsonschema:"the transaction hash"`
	Parties    []CryptoTxSig `json:"parties" jsonschema:"the addresses that sent or received value"`
	Unresolved []string      `json:"unresolved,omitempty" jsonschema:"parts whose address could not be learnt: their counterparties are unscreened"`
	Notes      []string      `json:"notes,omitempty" jsonschema:"what was skipped on purpose (coinbase input, OP_RETURN)"`
}

// CryptoTxSig is one party of a transaction.
type CryptoTxSig struct {
	Address string `json:"address" jsonschema:"the party's address"`
	Role    string `json:"role" jsonschema:"from, to, input, output, token_from or token_to"`
}

// CryptoListVer is one address list and where it came from.
type CryptoListVer struct {
	Source       string     `json:"source" jsonschema:"the sanctions list the addresses were taken from"`
	Addresses    int        `json:"addresses" jsonschema:"how many listed addresses"`
	AddressHash  string     `json:"addresses_sha256" jsonschema:"hash over the addresses, sorted"`
	ListSHA256   string     `json:"list_sha256,omitempty" jsonschema:"the sanctions list version (its sha256, as list_screening_lists shows)"`
	ListLoadedAt *time.Time `json:"list_loaded_at,omitempty" jsonschema:"when that list version was loaded"`
}

// ScreenTransaction screens a crypto address and/or transaction against the listed addresses.
var ScreenTransaction = Tool[ScreenTransactionInput, TransactionScreening]{
	Name:        "screen_transaction",
	Examples:    []string{`{"chain":"ETH","address":"0x8576aCC5C05D6Ce88f4e49bf65BdF0C62F91353C","amount":"1.5"}`},
	Need:        &Need{Fields: []string{"address", "tx_hash"}},
	Title:       "Screen a crypto address or transaction",
	Description: "Screen a crypto address and/or transaction against the listed sanctioned addresses: the address is validated for its chain (a malformed one is refused, naming the rule), matched exactly and by key across forms and chains; with a tx_hash and a node for the chain, every counterparty is screened. Returns a risk level, reasons and the list versions. Stores nothing.",
	Brief:       "validate a crypto address for its chain and/or a tx hash, match the listed addresses, screen a transaction's counterparties through a configured node: risk level, reasons, list versions",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/screenings/transaction"},
	Summary: func(r TransactionScreening) string {
		if len(r.Reasons) == 0 {
			return fmt.Sprintf("%s: risk %s, no finding.", r.Chain, r.Risk)
		}
		return fmt.Sprintf("%s: risk %s; %d finding(s), first: %s.", r.Chain, r.Risk, len(r.Reasons), r.Reasons[0].Code)
	},
	Handle: screenTransaction,
}

func screenTransaction(ctx context.Context, d *Deps, c Caller, in ScreenTransactionInput) (TransactionScreening, error) {
	if d.Screening == nil {
		return TransactionScreening{}, Errorf(CodeUnavailable, "", "screening is not configured on this server")
	}
	if strings.TrimSpace(in.Address) == "" && strings.TrimSpace(in.TxHash) == "" {
		return TransactionScreening{}, invalid("address", "give an address, a tx_hash, or both")
	}
	chain, _, err := crypto.ResolveChain(in.Chain, in.Address)
	if err != nil {
		return TransactionScreening{}, invalid("chain", "%v", err)
	}
	if h := strings.TrimSpace(in.TxHash); h != "" {
		if _, err := crypto.ValidateTxHash(chain, h); err != nil {
			return TransactionScreening{}, invalid("tx_hash", "%v", err)
		}
	}
	cs, cl := d.Screening.Crypto()
	sandbox, forcedBy := verify.SandboxCrypto(c.Mode, in.Address, in.Counterparty)
	if sandbox != nil {
		cs, cl = sandbox, verify.CryptoLists{From: map[string]screening.ListVersion{verify.SandboxSource: verify.SandboxListVersion()}}
	}
	res, err := cs.Screen(ctx, crypto.Request{Chain: in.Chain, Address: in.Address, TxHash: in.TxHash, Amount: in.Amount, Counterparty: in.Counterparty})
	if err != nil {
		var re *crypto.RequestError
		if errors.As(err, &re) {
			return TransactionScreening{}, invalid(re.Field, "%v", re.Err)
		}
		return TransactionScreening{}, err
	}
	// A malformed address is the caller's to fix, unless the list publishes that very string.
	listedAs := map[string]bool{}
	for _, m := range res.Matches {
		listedAs[m.Role+"\x00"+m.Address] = true
	}
	if res.Validation != nil && !listedAs["subject\x00"+strings.TrimSpace(in.Address)] {
		return TransactionScreening{}, invalid("address", "%v", res.Validation)
	}
	for _, r := range res.Reasons {
		if r.Code == crypto.ReasonInvalidCounterparty && r.Address == strings.TrimSpace(in.Counterparty) && !listedAs["counterparty\x00"+r.Address] {
			return TransactionScreening{}, invalid("counterparty", "%s", r.Detail)
		}
	}
	out := toTransactionScreening(d, res, cl)
	out.Forced, out.ForcedBy = forcedBy != "", forcedBy
	return out, nil
}

func toTransactionScreening(d *Deps, r *crypto.Result, cl verify.CryptoLists) TransactionScreening {
	out := TransactionScreening{Chain: string(r.Chain), Asset: r.Asset, Amount: r.Amount, Risk: string(r.Risk),
		Reasons: make([]CryptoReason, 0, len(r.Reasons)), TxHash: r.TxHash, TxScreened: r.TxScreened, Lists: []CryptoListVer{}}
	if a := r.Address; a != nil {
		out.Address = &CryptoAddress{Input: a.Input, Normalized: a.Normalized, Type: a.Type, Encoding: a.Encoding, Network: a.Network,
			ChecksumVerified: a.ChecksumVerified, Shielded: a.Shielded, Notes: a.Notes}
	}
	for _, x := range r.Reasons {
		out.Reasons = append(out.Reasons, CryptoReason{Code: x.Code, Risk: string(x.Risk), Address: x.Address, Detail: x.Detail})
	}
	for _, m := range r.Matches {
		cm := CryptoMatch{Address: m.Address, Role: m.Role, Kind: m.Kind, Source: m.Entry.Source, SourceID: m.Entry.EntityRef,
			ListedAs: m.Entry.ListedAs, Listed: m.Entry.Address, Note: m.Entry.Note}
		if e := verify.SandboxEntity(m.Entry.Source, m.Entry.EntityRef); e != nil {
			cm.EntityName = e.PrimaryName()
		} else if e := d.Screening.Entity(m.Entry.Source, m.Entry.EntityRef); e != nil {
			cm.EntityName = e.PrimaryName()
		}
		out.Matches = append(out.Matches, cm)
	}
	for _, p := range r.Counterparties {
		out.Counterparties = append(out.Counterparties, CryptoParty{Address: p.Address, Role: p.Role, Valid: p.Valid, Listed: p.Listed})
	}
	if t := r.Transaction; t != nil {
		out.Transaction = &CryptoTx{Hash: t.Hash, Parties: make([]CryptoTxSig, 0, len(t.Parties)), Unresolved: t.Unresolved, Notes: t.Notes}
		for _, p := range t.Parties {
			out.Transaction.Parties = append(out.Transaction.Parties, CryptoTxSig{Address: p.Address, Role: p.Role})
		}
	}
	for _, v := range r.Lists {
		lv := CryptoListVer{Source: v.Source, Addresses: v.Count, AddressHash: strings.TrimPrefix(v.Hash, "sha256:")}
		if from, ok := cl.From[v.Source]; ok {
			t := from.LoadedAt.UTC()
			lv.ListSHA256, lv.ListLoadedAt = from.SHA256, &t
		}
		out.Lists = append(out.Lists, lv)
	}
	return out
}
