package business

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Node roles in an ownership graph.
const (
	RoleEntity         = "entity"
	RoleDirectParent   = "direct_parent"
	RoleUltimateParent = "ultimate_parent"
	RoleDirectChild    = "direct_child"
	RoleUltimateChild  = "ultimate_child"
	RoleOfficer        = "officer"
)

// Node is one entity in a Graph. Name and Jurisdiction are empty when the source has
// the relationship but not the related entity's record.
type Node struct {
	LEI          string   `json:"lei"`
	Name         string   `json:"name,omitempty"`
	Jurisdiction string   `json:"jurisdiction,omitempty"`
	Roles        []string `json:"roles"`
}

// Edge says From (the child) is consolidated by To (the parent).
type Edge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Type   string `json:"type"` // IS_DIRECTLY_CONSOLIDATED_BY, IS_ULTIMATELY_CONSOLIDATED_BY
	Status string `json:"status,omitempty"`
}

// Graph is an entity's reported ownership: parents of both levels (or GLEIF's reporting
// exception saying why there is none), children up to a limit, as nodes and typed edges.
type Graph struct {
	Entity            Record              `json:"entity"`
	DirectParent      *Parent             `json:"direct_parent,omitempty"`
	UltimateParent    *Parent             `json:"ultimate_parent,omitempty"`
	DirectException   *ReportingException `json:"direct_parent_exception,omitempty"`
	UltimateException *ReportingException `json:"ultimate_parent_exception,omitempty"`
	DirectChildren    Children            `json:"direct_children"`
	UltimateChildren  Children            `json:"ultimate_children"`
	Nodes             []Node              `json:"nodes"`
	Edges             []Edge              `json:"edges"`
}

// GraphOptions bound BuildGraph. ChildLimit < 0 skips children; 0 means 15.
type GraphOptions struct {
	ChildLimit int
}

// BuildGraph reads an entity's ownership from src: the record, direct and ultimate parent
// (each with its relationship record) or the reporting exception of that level, and the
// direct and ultimate children up to the limit. Any source failure fails the whole call —
// a half-read ownership graph would read as "no parent reported".
func BuildGraph(ctx context.Context, src Source, lei string, opt GraphOptions) (*Graph, error) {
	lei = NormalizeLEI(lei)
	if err := ValidateLEI(lei); err != nil {
		return nil, err
	}
	if opt.ChildLimit == 0 {
		opt.ChildLimit = 15
	}
	rec, err := src.Record(ctx, lei)
	if err != nil {
		return nil, fmt.Errorf("ownership of %s: %w", lei, err)
	}
	g := &Graph{Entity: *rec}
	for _, lv := range []Level{Direct, Ultimate} {
		p, err := src.Parent(ctx, lei, lv)
		if err != nil {
			return nil, fmt.Errorf("ownership of %s: %s parent: %w", lei, lv, err)
		}
		var x *ReportingException
		if p == nil {
			if x, err = src.ReportingException(ctx, lei, lv); err != nil {
				return nil, fmt.Errorf("ownership of %s: %s parent reporting exception: %w", lei, lv, err)
			}
		}
		if lv == Direct {
			g.DirectParent, g.DirectException = p, x
		} else {
			g.UltimateParent, g.UltimateException = p, x
		}
		if opt.ChildLimit > 0 {
			ch, err := src.Children(ctx, lei, lv, opt.ChildLimit)
			if err != nil {
				return nil, fmt.Errorf("ownership of %s: %s children: %w", lei, lv, err)
			}
			slices.SortFunc(ch.Items, func(a, b Child) int { return cmp.Compare(a.Relationship.StartLEI, b.Relationship.StartLEI) })
			if ch.Items == nil {
				ch.Items = []Child{}
			}
			if lv == Direct {
				g.DirectChildren = ch
			} else {
				g.UltimateChildren = ch
			}
		}
	}
	g.index()
	return g, nil
}

// roledParent is a reported parent with its role in the graph.
type roledParent struct {
	*Parent
	role string
}

// parents lists the reported parents, direct first.
func (g *Graph) parents() []roledParent {
	var out []roledParent
	if g.DirectParent != nil {
		out = append(out, roledParent{g.DirectParent, RoleDirectParent})
	}
	if g.UltimateParent != nil {
		out = append(out, roledParent{g.UltimateParent, RoleUltimateParent})
	}
	return out
}

func (g *Graph) index() {
	nodes := map[string]*Node{}
	var order []string
	add := func(lei string, r *Record, role string) {
		n := nodes[lei]
		if n == nil {
			n = &Node{LEI: lei}
			nodes[lei] = n
			order = append(order, lei)
		}
		if r != nil && n.Name == "" {
			n.Name, n.Jurisdiction = r.LegalName.Name, recordJurisdiction(*r)
		}
		if !slices.Contains(n.Roles, role) {
			n.Roles = append(n.Roles, role)
		}
	}
	add(g.Entity.LEI, &g.Entity, RoleEntity)
	g.Edges = []Edge{}
	for _, p := range g.parents() {
		add(p.Relationship.EndLEI, p.Record, p.role)
		g.Edges = append(g.Edges, Edge{From: p.Relationship.StartLEI, To: p.Relationship.EndLEI,
			Type: p.Relationship.Type, Status: p.Relationship.Status})
	}
	for _, c := range []struct {
		ch   Children
		role string
	}{{g.DirectChildren, RoleDirectChild}, {g.UltimateChildren, RoleUltimateChild}} {
		for _, it := range c.ch.Items {
			add(it.Relationship.StartLEI, it.Record, c.role)
			g.Edges = append(g.Edges, Edge{From: it.Relationship.StartLEI, To: it.Relationship.EndLEI,
				Type: it.Relationship.Type, Status: it.Relationship.Status})
		}
	}
	g.Nodes = make([]Node, 0, len(order))
	for _, lei := range order {
		g.Nodes = append(g.Nodes, *nodes[lei])
	}
}

// ScreenName is a name the caller should screen against sanctions and PEP lists.
type ScreenName struct {
	Name      string `json:"name"`
	Role      string `json:"role"` // RoleEntity, RoleDirectParent, RoleUltimateParent, RoleOfficer
	LEI       string `json:"lei,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// MaxScreenNameBytes bounds one name handed to screening.
const MaxScreenNameBytes = 1024

// ScreeningNames lists what to screen for a company: all names of the entity (legal,
// other, transliterated), the legal names of its direct and ultimate parents, and the
// officers given by the caller. Names are trimmed and whitespace-collapsed, empty ones
// dropped, over-long ones cut at MaxScreenNameBytes (flagged), and repeats of the same
// name for the same role removed. Children are not screened: they do not control the
// entity. g may be nil (officers only).
func ScreeningNames(g *Graph, officers []string) []ScreenName {
	var out []ScreenName
	seen := map[string]bool{}
	add := func(name, role, lei string) {
		trunc := false
		// Cut before collapsing whitespace, so a hostile name costs bounded work.
		if len(name) > 4*MaxScreenNameBytes {
			name, trunc = cutRunes(name, 4*MaxScreenNameBytes), true
		}
		name = strings.Join(strings.Fields(name), " ")
		if name == "" {
			return
		}
		if len(name) > MaxScreenNameBytes {
			name, trunc = cutRunes(name, MaxScreenNameBytes), true
		}
		k := role + "\x00" + strings.ToLower(name)
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, ScreenName{Name: name, Role: role, LEI: lei, Truncated: trunc})
	}
	if g != nil {
		for _, n := range g.Entity.Names() {
			add(n, RoleEntity, g.Entity.LEI)
		}
		for _, p := range g.parents() {
			if p.Record != nil {
				add(p.Record.LegalName.Name, p.role, p.Relationship.EndLEI)
			}
		}
	}
	for _, o := range officers {
		add(o, RoleOfficer, "")
	}
	return out
}

// cutRunes cuts s to at most n bytes without splitting a UTF-8 sequence.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
