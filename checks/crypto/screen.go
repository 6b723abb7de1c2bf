package crypto

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Risk is the screening verdict's level.
type Risk string

// Risk levels, lowest first.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
	RiskSevere Risk = "severe"
)

// AllRisks lists every risk level, lowest first.
var AllRisks = []Risk{RiskLow, RiskMedium, RiskHigh, RiskSevere}

func (r Risk) rank() int {
	switch r {
	case RiskMedium:
		return 1
	case RiskHigh:
		return 2
	case RiskSevere:
		return 3
	}
	return 0
}

// Reason codes. Each is documented with the risk it carries in doc.go.
const (
	ReasonSanctionedAddress        = "sanctioned_address"
	ReasonSanctionedCounterparty   = "sanctioned_counterparty"
	ReasonSanctionedKeyOtherForm   = "sanctioned_key_other_chain"
	ReasonCounterpartyKeyOtherForm = "counterparty_key_other_chain"
	ReasonInvalidAddress           = "invalid_address"
	ReasonInvalidCounterparty      = "invalid_counterparty"
	ReasonCounterpartyUnscreened   = "counterparty_unscreened"
	ReasonInvalidTxHash            = "invalid_tx_hash"
	ReasonTxNotFound               = "tx_not_found"
	ReasonAddressNotInTransaction  = "address_not_in_transaction"
	ReasonPrivacyCoin              = "privacy_coin"
	ReasonShieldedAddress          = "shielded_address"
	ReasonTestnetAddress           = "testnet_address"
	ReasonUndefinedWitnessVersion  = "undefined_witness_version"
	ReasonBurnAddress              = "burn_address"
	ReasonNonChecksummedAddress    = "non_checksummed_address"
	ReasonListsNotLoaded           = "lists_not_loaded"
)

// Request is one screening: an address on a chain, optionally the
// transaction it took part in and the other side.
type Request struct {
	// Chain is a chain or token code: BTC/XBT, ETH, ARB, BSC, ETC, TRX,
	// LTC, BCH, XMR, XRP, ZEC, DASH, USDT, USDC, … (see KnownCodes).
	Chain string `json:"chain"`
	// Address is the customer's address being screened. It may be empty
	// when TxHash is given: then the transaction's parties are screened.
	Address string `json:"address"`
	// TxHash, when given, is validated and, if a node is configured for
	// the chain, used to screen every counterparty in the transaction.
	TxHash string `json:"tx_hash,omitempty"`
	// Amount is a non-negative decimal in the asset's unit; it is
	// validated and echoed, not priced (no FX data is used).
	Amount string `json:"amount,omitempty"`
	// Counterparty is the other side's address, when the caller knows it.
	Counterparty string `json:"counterparty,omitempty"`
}

// Reason is one machine-readable finding.
type Reason struct {
	Code    string `json:"code"`
	Risk    Risk   `json:"risk"`
	Address string `json:"address,omitempty"`
	Detail  string `json:"detail"`
}

// Match is one list entry that matched a screened address.
type Match struct {
	// Address is the screened address that matched.
	Address string `json:"address"`
	// Role is subject, counterparty, or the tx role (from, to, input, …).
	Role string `json:"role"`
	// Kind is "exact" (the same destination on the same chain) or
	// "same_key" (the same key or script hash in another form or on
	// another chain).
	Kind  string `json:"kind"`
	Entry Entry  `json:"entry"`
}

// Party is a screened counterparty.
type Party struct {
	Address string `json:"address"`
	Role    string `json:"role"`
	// Valid is false when the address does not validate for the chain.
	Valid bool `json:"valid"`
	// Listed is true when any list entry matched.
	Listed bool `json:"listed"`
}

// Result is a screening verdict with everything needed to explain and
// reproduce it.
type Result struct {
	Chain Chain `json:"chain"`
	// Asset is the token code when the request named one (USDT, USDC).
	Asset string `json:"asset,omitempty"`
	// Address is the validated subject; nil when it did not validate.
	Address *Address `json:"address,omitempty"`
	// Validation explains why the subject did not validate.
	Validation     *ValidationError `json:"validation,omitempty"`
	Amount         string           `json:"amount,omitempty"`
	Risk           Risk             `json:"risk"`
	Reasons        []Reason         `json:"reasons"`
	Matches        []Match          `json:"matches,omitempty"`
	Counterparties []Party          `json:"counterparties,omitempty"`
	TxHash         string           `json:"tx_hash,omitempty"`
	// TxScreened is true only when a node returned the transaction and
	// every party in it was screened.
	TxScreened  bool          `json:"tx_screened"`
	Transaction *Transaction  `json:"transaction,omitempty"`
	Lists       []ListVersion `json:"lists"`
}

func (r *Result) add(code string, risk Risk, addr, detail string) {
	r.Reasons = append(r.Reasons, Reason{Code: code, Risk: risk, Address: addr, Detail: detail})
	if risk.rank() > r.Risk.rank() {
		r.Risk = risk
	}
}

// Screener screens addresses and transactions against Lists. It is safe
// for concurrent use; Lists may be added to while screenings run.
type Screener struct {
	lists *Lists
	nodes map[Chain]TxSource
}

// NewScreener returns a screener over lists. nodes maps a chain to the
// node that can fetch its transactions; chains without one get their
// transaction counterparties reported as unscreened.
func NewScreener(lists *Lists, nodes map[Chain]TxSource) (*Screener, error) {
	if lists == nil {
		return nil, errors.New("new crypto screener: lists is nil")
	}
	n := make(map[Chain]TxSource, len(nodes))
	for c, s := range nodes {
		if _, ok := chainSpecs[c]; !ok {
			return nil, fmt.Errorf("new crypto screener: node for chain %q: %w", c, ErrUnknownChain)
		}
		if s == nil {
			return nil, fmt.Errorf("new crypto screener: node for chain %s is nil", c)
		}
		n[c] = s
	}
	return &Screener{lists: lists, nodes: n}, nil
}

// RequestError is a request the caller must fix; Field names the field.
type RequestError struct {
	Field string
	Err   error
}

// Error implements error.
func (e *RequestError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

var amountRE = regexp.MustCompile(`^[0-9]{1,40}(\.[0-9]{1,36})?$`)

// Screen validates the request's address, looks it (and any counterparty)
// up in the lists, and, given a transaction hash and a node for the chain,
// screens every party of the transaction. It returns an error only for a
// request the caller must fix (*RequestError: empty address, unknown chain,
// malformed amount) or a cancelled context; everything about the address
// itself is in the Result's reasons.
func (s *Screener) Screen(ctx context.Context, req Request) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("screen crypto address: %w", err)
	}
	if strings.TrimSpace(req.Address) == "" && strings.TrimSpace(req.TxHash) == "" {
		return nil, &RequestError{Field: "address", Err: errors.New("address is empty: give an address, a tx_hash, or both")}
	}
	chain, asset, err := ResolveChain(req.Chain, req.Address)
	if err != nil {
		return nil, &RequestError{Field: "chain", Err: err}
	}
	amount := strings.TrimSpace(req.Amount)
	if amount != "" && !amountRE.MatchString(amount) {
		return nil, &RequestError{Field: "amount", Err: fmt.Errorf("amount %q is not a non-negative decimal number like \"12.5\"", truncate(amount, 60))}
	}
	res := &Result{Chain: chain, Asset: asset, Amount: amount, Risk: RiskLow, Reasons: []Reason{}, Lists: s.lists.Versions()}
	if s.lists.Count() == 0 {
		res.add(ReasonListsNotLoaded, RiskHigh, "", "no sanctions list is loaded: nothing was screened")
	}

	// Without an address, the transaction's parties are what is screened (screenTx below).
	var subject *Address
	if strings.TrimSpace(req.Address) != "" {
		a, verr := Validate(chain, req.Address)
		if verr != nil {
			var ve *ValidationError
			if errors.As(verr, &ve) {
				res.Validation = ve
			}
			res.add(ReasonInvalidAddress, RiskHigh, strings.TrimSpace(req.Address), verr.Error()+"; a malformed address cannot be screened")
			// A listed string is authoritative even when it is malformed.
			for _, e := range s.lists.lookupRaw(req.Address) {
				res.Matches = append(res.Matches, Match{Address: strings.TrimSpace(req.Address), Role: "subject", Kind: "exact", Entry: e})
				res.add(ReasonSanctionedAddress, RiskSevere, strings.TrimSpace(req.Address), describeEntry(e))
			}
		} else {
			subject = a
			res.Address = subject
			s.screenOne(res, subject, "subject")
			s.patterns(res, subject, "subject")
		}
	}

	if cp := strings.TrimSpace(req.Counterparty); cp != "" {
		s.screenParty(res, chain, cp, "counterparty")
	}

	if h := strings.TrimSpace(req.TxHash); h != "" {
		if err := s.screenTx(ctx, res, chain, subject, h); err != nil {
			return nil, err
		}
	}
	sortReasons(res)
	return res, nil
}

// screenOne looks one validated address up and records matches.
func (s *Screener) screenOne(res *Result, a *Address, role string) bool {
	exact, sameKey := s.lists.lookup(a)
	listed := false
	for _, e := range exact {
		listed = true
		res.Matches = append(res.Matches, Match{Address: a.Input, Role: role, Kind: "exact", Entry: e})
		code := ReasonSanctionedAddress
		if role != "subject" {
			code = ReasonSanctionedCounterparty
		}
		res.add(code, RiskSevere, a.Input, describeEntry(e))
	}
	for _, e := range sameKey {
		listed = true
		res.Matches = append(res.Matches, Match{Address: a.Input, Role: role, Kind: "same_key", Entry: e})
		code := ReasonSanctionedKeyOtherForm
		if role != "subject" {
			code = ReasonCounterpartyKeyOtherForm
		}
		res.add(code, RiskHigh, a.Input, "the same key or script hash is listed as "+describeEntry(e)+
			"; whoever holds that key controls this address too")
	}
	return listed
}

func describeEntry(e Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s listed by %s", e.ListedAs, e.Address, e.Source)
	if e.EntityRef != "" {
		fmt.Fprintf(&b, " (entity %s)", e.EntityRef)
	}
	if e.Note != "" {
		fmt.Fprintf(&b, " [%s]", e.Note)
	}
	return b.String()
}

// patterns flags properties of a valid address that raise risk on their
// own; doc.go gives the justification for each.
func (s *Screener) patterns(res *Result, a *Address, role string) {
	who := "address"
	if role != "subject" {
		who = role + " address"
	}
	if a.Network != "mainnet" {
		res.add(ReasonTestnetAddress, RiskMedium, a.Input, fmt.Sprintf("%s is a %s address: it holds no real value, so a real-value transfer to or from it is a mistake or a pretext", who, a.Network))
	}
	if a.Chain == XMR {
		res.add(ReasonPrivacyCoin, RiskMedium, a.Input, "Monero hides sender, receiver and amount on chain: counterparties cannot be screened (FATF red-flag indicator for anonymity-enhanced cryptocurrencies)")
	}
	if a.Shielded {
		res.add(ReasonShieldedAddress, RiskMedium, a.Input, fmt.Sprintf("shielded Zcash %s address: its transactions cannot be screened on chain", a.Type))
	}
	if strings.HasPrefix(a.Type, "witness_v") {
		res.add(ReasonUndefinedWitnessVersion, RiskMedium, a.Input, a.Notes[len(a.Notes)-1])
	}
	if a.Chain.IsEVM() && a.Normalized == "0x0000000000000000000000000000000000000000" {
		res.add(ReasonBurnAddress, RiskMedium, a.Input, "the zero address: anything sent there is destroyed")
	}
	if a.Chain.IsEVM() && !a.ChecksumVerified && role == "subject" {
		res.add(ReasonNonChecksummedAddress, RiskLow, a.Input, "address is all one case, so no EIP-55 checksum guards it against a typo")
	}
}

// screenParty validates and screens one counterparty address.
func (s *Screener) screenParty(res *Result, chain Chain, addr, role string) *Address {
	p := Party{Address: addr, Role: role}
	a, err := Validate(chain, addr)
	if err != nil {
		res.add(ReasonInvalidCounterparty, RiskMedium, addr, err.Error())
		res.add(ReasonCounterpartyUnscreened, RiskMedium, addr, "counterparty address is malformed and could not be screened")
		for _, e := range s.lists.lookupRaw(addr) {
			p.Listed = true
			res.Matches = append(res.Matches, Match{Address: addr, Role: role, Kind: "exact", Entry: e})
			res.add(ReasonSanctionedCounterparty, RiskSevere, addr, describeEntry(e))
		}
		res.Counterparties = append(res.Counterparties, p)
		return nil
	}
	p.Valid = true
	p.Listed = s.screenOne(res, a, role)
	s.patterns(res, a, role)
	res.Counterparties = append(res.Counterparties, p)
	return a
}

func (s *Screener) screenTx(ctx context.Context, res *Result, chain Chain, subject *Address, hash string) error {
	h, err := ValidateTxHash(chain, hash)
	if err != nil {
		res.TxHash = strings.TrimSpace(hash)
		res.add(ReasonInvalidTxHash, RiskMedium, "", err.Error())
		res.add(ReasonCounterpartyUnscreened, RiskMedium, "", "transaction hash is malformed: its counterparties were not screened")
		return nil
	}
	res.TxHash = h
	node := s.nodes[chain]
	if node == nil {
		res.add(ReasonCounterpartyUnscreened, RiskMedium, "", fmt.Sprintf("no %s node is configured: the transaction's counterparties were not screened", chain))
		return nil
	}
	tx, err := node.Transaction(ctx, chain, h)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("screen %s transaction %s: %w", chain, h, ctx.Err())
		}
		if errors.Is(err, ErrTxNotFound) {
			res.add(ReasonTxNotFound, RiskMedium, "", err.Error())
		}
		res.add(ReasonCounterpartyUnscreened, RiskMedium, "", "could not fetch the transaction, its counterparties were not screened: "+err.Error())
		return nil
	}
	res.Transaction = tx
	seen := map[string]bool{}
	involved := false
	for _, p := range tx.Parties {
		key := p.Role + "|" + p.Address
		if seen[key] {
			continue
		}
		seen[key] = true
		a := s.screenParty(res, chain, p.Address, p.Role)
		if a != nil && subject != nil && a.matchKey == subject.matchKey {
			involved = true
		}
	}
	if len(tx.Unresolved) > 0 {
		res.add(ReasonCounterpartyUnscreened, RiskMedium, "", fmt.Sprintf("%d part(s) of the transaction could not be resolved to an address: %s", len(tx.Unresolved), strings.Join(tx.Unresolved, "; ")))
	}
	if subject != nil && !involved && len(tx.Unresolved) == 0 {
		res.add(ReasonAddressNotInTransaction, RiskMedium, subject.Input, "the screened address does not appear in the transaction: the transaction may not be the customer's")
	}
	res.TxScreened = len(tx.Unresolved) == 0
	return nil
}

// sortReasons orders reasons most severe first, stable within a level.
func sortReasons(r *Result) {
	sort.SliceStable(r.Reasons, func(i, j int) bool { return r.Reasons[i].Risk.rank() > r.Reasons[j].Risk.rank() })
}
