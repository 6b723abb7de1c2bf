package db

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/uptrace/bun"
	"golang.org/x/text/unicode/norm"

	"github.com/kycd/kycd/models"
)

// The verification index (migration 0030) holds, per verification, what the dashboard filters,
// searches and counts by without opening sealed columns at query time: check outcomes and
// reason codes (no personal data), the document's issuing country, and blind indexes (keyed
// hashes) of the applicant's name. IndexVerifications fills it from the sealed rows before a
// read that needs it, so the sealed columns are opened once per change, not per query.

type verificationIndex struct {
	bun.BaseModel  `bun:"table:verification_index"`
	VerificationID string      `bun:"verification_id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	IndexedStatus  string      `bun:"indexed_status"`
	Erased         bool        `bun:"erased"`
	KeyID          string      `bun:"key_id"`
	Country        string      `bun:"country"`
	FailedChecks   string      `bun:"failed_checks"`
	IndexedAt      time.Time   `bun:"indexed_at"`
}

type checkOutcomeRow struct {
	bun.BaseModel  `bun:"table:verification_check_outcomes"`
	VerificationID string      `bun:"verification_id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	Check          string      `bun:"check_name,pk"`
	Outcome        string      `bun:"outcome"`
}

type reasonCodeRow struct {
	bun.BaseModel  `bun:"table:verification_reason_codes"`
	VerificationID string      `bun:"verification_id,pk"`
	AccountID      string      `bun:"account_id"`
	Mode           models.Mode `bun:"mode"`
	Code           string      `bun:"code,pk"`
}

type nameIndexRow struct {
	bun.BaseModel  `bun:"table:verification_name_index"`
	AccountID      string      `bun:"account_id,pk"`
	Mode           models.Mode `bun:"mode,pk"`
	NameHash       string      `bun:"name_hash,pk"`
	VerificationID string      `bun:"verification_id,pk"`
}

// indexBatch bounds one pass of IndexVerifications; indexMax bounds one call, so a read
// after a bulk import answers in bounded time (the next read continues).
const (
	indexBatch = 200
	indexMax   = 5000
)

// NormalizeName is the form names are blind-indexed in: lower case, accents removed, anything
// but letters and digits a single space.
func NormalizeName(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// NameHash is the blind index of a normalized name (or one of its words) under the primary key.
func (k *Keyring) NameHash(normalized string) (keyID, hash string) {
	primary, keys := k.Derive("name-index")
	m := hmac.New(sha256.New, keys[primary])
	m.Write([]byte("name:" + normalized))
	return primary, hex.EncodeToString(m.Sum(nil))
}

// nameTokens are what a name is findable by: the whole name and each word of two letters or more.
func nameTokens(name string) []string {
	n := NormalizeName(name)
	if n == "" {
		return nil
	}
	out := []string{n}
	for _, w := range strings.Fields(n) {
		if len([]rune(w)) >= 2 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// IndexVerifications brings the verification index of the scope up to date: verifications
// never indexed, whose status changed since, whose applicant was erased since, or indexed
// under a rotated key. It returns how many it (re)indexed.
func (s *Store) IndexVerifications(ctx context.Context, sc Scope) (int, error) {
	primary, _ := s.keys.Derive("name-index")
	total := 0
	for total < indexMax {
		var rows []models.Verification
		err := s.DB.NewSelect().Model(&rows).ModelTableExpr("verifications AS v").
			Column("v.id", "v.account_id", "v.mode", "v.status", "v.applicant_pii", "v.result", "v.deleted_at").
			Join("LEFT JOIN verification_index AS i ON i.verification_id = v.id").
			Where("v.account_id = ?", sc.AccountID).Where("v.mode = ?", sc.Mode).
			Where("i.verification_id IS NULL OR i.indexed_status <> v.status OR i.key_id <> ? OR (v.deleted_at IS NOT NULL AND i.erased = ?)", primary, false).
			OrderExpr("v.id").Limit(int64(indexBatch)).Scan(ctx)
		if err != nil {
			return total, fmt.Errorf("find verifications to index: %w", err)
		}
		if len(rows) == 0 {
			break
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
			for i := range rows {
				if err := s.indexOne(ctx, tx, &rows[i], primary); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
		total += len(rows)
		if len(rows) < indexBatch {
			break
		}
	}
	return total, nil
}

func (s *Store) indexOne(ctx context.Context, tx *Tx, v *models.Verification, keyID string) error {
	for _, m := range []any{(*checkOutcomeRow)(nil), (*reasonCodeRow)(nil), (*nameIndexRow)(nil), (*verificationIndex)(nil)} {
		if _, err := tx.NewDelete().Model(m).Where("verification_id = ?", v.ID).Exec(ctx); err != nil {
			return fmt.Errorf("clear index of %s: %w", v.ID, err)
		}
	}
	idx := &verificationIndex{VerificationID: v.ID, AccountID: v.AccountID, Mode: v.Mode, IndexedStatus: string(v.Status),
		Erased: v.DeletedAt != nil, KeyID: keyID, IndexedAt: s.Now().UTC()}
	var names []nameIndexRow
	var outcomes []checkOutcomeRow
	var codes []reasonCodeRow
	if v.DeletedAt == nil {
		var a models.ApplicantData
		if len(v.ApplicantPII) > 0 {
			if err := s.keys.OpenJSON(v.ApplicantPII, &a); err != nil && !errors.Is(err, ErrShredded) {
				return fmt.Errorf("open applicant of %s: %w", v.ID, err)
			}
		}
		for _, t := range nameTokens(a.Name) {
			_, h := s.keys.NameHash(t)
			names = append(names, nameIndexRow{AccountID: v.AccountID, Mode: v.Mode, NameHash: h, VerificationID: v.ID})
		}
		idx.Country = s.countryHash(a.Country)
	}
	if v.Result != nil {
		raw, err := s.keys.OpenText(*v.Result)
		if err != nil && !errors.Is(err, ErrShredded) {
			return fmt.Errorf("open result of %s: %w", v.ID, err)
		}
		var r models.VerificationResult
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return fmt.Errorf("decode result of %s: %w", v.ID, err)
			}
		}
		var failed []string
		for _, c := range r.Checks {
			if slices.ContainsFunc(outcomes, func(o checkOutcomeRow) bool { return o.Check == c.Check }) {
				continue
			}
			outcomes = append(outcomes, checkOutcomeRow{VerificationID: v.ID, AccountID: v.AccountID, Mode: v.Mode, Check: c.Check, Outcome: string(c.Outcome)})
			if c.Outcome != models.OutcomePass {
				failed = append(failed, c.Check)
			}
			if country, ok := c.Details["issuing_country"].(string); ok && country != "" && c.Check == string(models.CheckDocument) && v.DeletedAt == nil {
				idx.Country = s.countryHash(country)
			}
		}
		idx.FailedChecks = strings.Join(failed, ",")
		for _, reason := range r.Reasons {
			if reason.Code == "" || slices.ContainsFunc(codes, func(c reasonCodeRow) bool { return c.Code == reason.Code }) {
				continue
			}
			codes = append(codes, reasonCodeRow{VerificationID: v.ID, AccountID: v.AccountID, Mode: v.Mode, Code: reason.Code})
		}
	}
	if _, err := tx.NewInsert().Model(idx).Exec(ctx); err != nil {
		return fmt.Errorf("index %s: %w", v.ID, err)
	}
	for _, batch := range []any{&outcomes, &codes, &names} {
		if n := sliceLen(batch); n == 0 {
			continue
		}
		if _, err := tx.NewInsert().Model(batch).Exec(ctx); err != nil {
			return fmt.Errorf("index %s: %w", v.ID, err)
		}
	}
	return nil
}

func sliceLen(p any) int {
	switch s := p.(type) {
	case *[]checkOutcomeRow:
		return len(*s)
	case *[]reasonCodeRow:
		return len(*s)
	case *[]nameIndexRow:
		return len(*s)
	}
	return 0
}

// countryHash is the blind index of a country code ("" for none): where an applicant comes
// from is about them, so the index holds it keyed like their name.
func (s *Store) countryHash(code string) string {
	code = strings.ToUpper(strings.TrimRight(strings.TrimSpace(code), "<"))
	if code == "" {
		return ""
	}
	_, h := s.keys.NameHash("country:" + code)
	return h
}

// FindByName returns the ids of the scope's verifications whose applicant's name, or one of its
// words, is name (after NormalizeName), newest first, by blind index: nothing is decrypted.
// Call IndexVerifications first.
func (s *Store) FindByName(ctx context.Context, sc Scope, name string, limit int) ([]string, error) {
	n := NormalizeName(name)
	if n == "" {
		return nil, nil
	}
	_, h := s.keys.NameHash(n)
	var ids []string
	err := s.DB.NewSelect().Model((*nameIndexRow)(nil)).Column("verification_id").
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("name_hash = ?", h).
		Order("verification_id DESC").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("find by name: %w", err)
	}
	return ids, nil
}

// GetVerificationByReference finds a verification in the scope by its reference (VER-…).
func (s *Store) GetVerificationByReference(ctx context.Context, sc Scope, ref string) (*models.Verification, error) {
	v := new(models.Verification)
	err := s.DB.NewSelect().Model(v).Where("reference = ?", ref).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "verification")
	}
	return v, nil
}

// QueueFilter selects the review queue.
type QueueFilter struct {
	Scope
	// FailedCheck keeps cases where this check did not pass.
	FailedCheck string
	// Countries keeps cases whose document (else applicant data) names one of these codes (a
	// country's alpha-2 and ICAO forms: the applicant's data is alpha-2, the document's ICAO).
	Countries []string
	// MinAge and MaxAge bound the time a case has waited in the queue (0 = no bound).
	MinAge, MaxAge time.Duration
	// Assignee keeps cases assigned to this operator; "-" keeps unassigned ones.
	Assignee string
	Offset   int
	Limit    int
}

// QueueEntry is one case in the review queue.
type QueueEntry struct {
	Verification  models.Verification
	FailedChecks  []string
	EnteredReview time.Time
}

// ReviewQueue lists needs_review verifications, oldest in the queue first. Call
// IndexVerifications first: the check and country filters read the index.
func (s *Store) ReviewQueue(ctx context.Context, f QueueFilter) ([]QueueEntry, bool, error) {
	type row struct {
		models.Verification `bun:",extend"`
		FailedChecks        string `bun:"idx_failed"`
	}
	var rows []row
	entered := "COALESCE(v.completed_at, v.updated_at)"
	q := s.DB.NewSelect().Model(&rows).ModelTableExpr("verifications AS v").ColumnExpr("v.*").
		ColumnExpr("COALESCE(i.failed_checks, '') AS idx_failed").
		Join("LEFT JOIN verification_index AS i ON i.verification_id = v.id").
		Where("v.account_id = ?", f.AccountID).Where("v.mode = ?", f.Mode).Where("v.status = ?", models.StatusNeedsReview)
	if f.FailedCheck != "" {
		q = q.Where("EXISTS (SELECT 1 FROM verification_check_outcomes AS o WHERE o.verification_id = v.id AND o.check_name = ? AND o.outcome <> ?)",
			f.FailedCheck, models.OutcomePass)
	}
	if len(f.Countries) > 0 {
		hashes := make([]string, len(f.Countries))
		for i, c := range f.Countries {
			hashes[i] = s.countryHash(c)
		}
		q = q.Where("i.country IN (?)", bun.List(hashes))
	}
	now := s.Now().UTC()
	if f.MinAge > 0 {
		q = q.Where(entered+" <= ?", now.Add(-f.MinAge))
	}
	if f.MaxAge > 0 {
		q = q.Where(entered+" >= ?", now.Add(-f.MaxAge))
	}
	switch f.Assignee {
	case "":
	case "-":
		q = q.Where("NOT EXISTS (SELECT 1 FROM review_assignments AS a WHERE a.verification_id = v.id)")
	default:
		q = q.Where("EXISTS (SELECT 1 FROM review_assignments AS a WHERE a.verification_id = v.id AND a.assignee = ?)", f.Assignee)
	}
	if err := q.OrderExpr(entered + " ASC, v.id ASC").Offset(int64(f.Offset)).Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("review queue: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	out := make([]QueueEntry, len(rows))
	for i, r := range rows {
		e := QueueEntry{Verification: r.Verification, EnteredReview: r.UpdatedAt}
		if r.CompletedAt != nil {
			e.EnteredReview = *r.CompletedAt
		}
		if r.FailedChecks != "" {
			e.FailedChecks = strings.Split(r.FailedChecks, ",")
		}
		out[i] = e
	}
	return out, more, nil
}

// Analytics are the dashboard's figures for one scope since a time.
type Analytics struct {
	// PerDay counts verifications created per UTC day, by current status.
	PerDay []DayCount
	// Checks counts check outcomes per check.
	Checks []CheckCount
	// MedianDecisionSeconds is the median time from submission (else creation) to the final
	// decision (the review, else the pipeline's) of approved and rejected verifications; -1 when none.
	MedianDecisionSeconds float64
	Decided               int
	// Backlog is the needs_review count now; BacklogAges buckets them by time in the queue.
	Backlog     int
	BacklogAges []AgeBucket
	// OldestInQueue is when the longest-waiting case entered review (nil: empty queue).
	OldestInQueue *time.Time
	// RejectionReasons are the most frequent reason codes of rejected verifications' checks;
	// ReviewerRejections the reviewers' reason codes of their rejections.
	RejectionReasons   []CodeCount
	ReviewerRejections []CodeCount
}

// DayCount is one (day, status) cell.
type DayCount struct {
	Day    string `bun:"day"`
	Status string `bun:"status"`
	Count  int    `bun:"n"`
}

// CheckCount is one check's outcome counts.
type CheckCount struct {
	Check  string `bun:"check_name"`
	Pass   int    `bun:"pass"`
	Review int    `bun:"review"`
	Fail   int    `bun:"fail"`
}

// AgeBucket counts queue cases younger than Under (the last bucket has Under 0: the rest).
type AgeBucket struct {
	Label string
	Under time.Duration
	Count int
}

// CodeCount is a reason code and how often it occurred.
type CodeCount struct {
	Code  string `bun:"code"`
	Count int    `bun:"n"`
}

// ComputeAnalytics aggregates the scope since since, in SQL. Call IndexVerifications first.
func (s *Store) ComputeAnalytics(ctx context.Context, sc Scope, since time.Time) (*Analytics, error) {
	out := &Analytics{MedianDecisionSeconds: -1}
	since = since.UTC()
	day := "to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	secs := "EXTRACT(EPOCH FROM (COALESCE(v.reviewed_at, v.completed_at) - COALESCE(v.submitted_at, v.created_at)))"
	if s.Dialect == SQLite {
		day = "substr(v.created_at, 1, 10)"
		secs = "((julianday(COALESCE(v.reviewed_at, v.completed_at)) - julianday(COALESCE(v.submitted_at, v.created_at))) * 86400.0)"
	}
	scoped := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("v.account_id = ?", sc.AccountID).Where("v.mode = ?", sc.Mode).Where("v.created_at >= ?", since)
	}
	err := scoped(s.DB.NewSelect().TableExpr("verifications AS v").ColumnExpr(day+" AS day").ColumnExpr("v.status AS status").
		ColumnExpr("count(*) AS n")).GroupExpr(day+", v.status").OrderExpr("day, status").Scan(ctx, &out.PerDay)
	if err != nil {
		return nil, fmt.Errorf("analytics per day: %w", err)
	}
	err = scoped(s.DB.NewSelect().TableExpr("verification_check_outcomes AS o").Join("JOIN verifications AS v ON v.id = o.verification_id").
		ColumnExpr("o.check_name AS check_name").
		ColumnExpr("sum(CASE WHEN o.outcome = 'pass' THEN 1 ELSE 0 END) AS pass").
		ColumnExpr("sum(CASE WHEN o.outcome = 'review' THEN 1 ELSE 0 END) AS review").
		ColumnExpr("sum(CASE WHEN o.outcome = 'fail' THEN 1 ELSE 0 END) AS fail")).
		GroupExpr("o.check_name").OrderExpr("o.check_name").Scan(ctx, &out.Checks)
	if err != nil {
		return nil, fmt.Errorf("analytics checks: %w", err)
	}
	decided := func() *bun.SelectQuery {
		return scoped(s.DB.NewSelect().TableExpr("verifications AS v")).
			Where("v.status IN (?)", bun.List([]models.Status{models.StatusApproved, models.StatusRejected})).
			Where("COALESCE(v.reviewed_at, v.completed_at) IS NOT NULL")
	}
	n, err := decided().Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("analytics decided: %w", err)
	}
	out.Decided = int(n)
	if n > 0 {
		// The median without percentile functions (SQLite has none): the middle row, or the mean
		// of the two middle rows.
		var mids []float64
		off, lim := (n-1)/2, 2-n%2 // int64
		if err := decided().ColumnExpr(secs+" AS s").OrderExpr("s").Offset(off).Limit(lim).Scan(ctx, &mids); err != nil {
			return nil, fmt.Errorf("analytics median: %w", err)
		}
		if len(mids) > 0 {
			sum := 0.0
			for _, m := range mids {
				sum += m
			}
			out.MedianDecisionSeconds = sum / float64(len(mids))
		}
	}
	now := s.Now().UTC()
	out.BacklogAges = []AgeBucket{{Label: "< 1 h", Under: time.Hour}, {Label: "1–24 h", Under: 24 * time.Hour},
		{Label: "1–7 d", Under: 7 * 24 * time.Hour}, {Label: "> 7 d"}}
	var entered []time.Time
	err = s.DB.NewSelect().TableExpr("verifications AS v").ColumnExpr("COALESCE(v.completed_at, v.updated_at)").
		Where("v.account_id = ?", sc.AccountID).Where("v.mode = ?", sc.Mode).Where("v.status = ?", models.StatusNeedsReview).
		Scan(ctx, &entered)
	if err != nil {
		return nil, fmt.Errorf("analytics backlog: %w", err)
	}
	out.Backlog = len(entered)
	for _, t := range entered {
		age := now.Sub(t)
		for i := range out.BacklogAges {
			if b := &out.BacklogAges[i]; b.Under == 0 || age < b.Under {
				b.Count++
				break
			}
		}
		if out.OldestInQueue == nil || t.Before(*out.OldestInQueue) {
			tt := t.UTC()
			out.OldestInQueue = &tt
		}
	}
	err = scoped(s.DB.NewSelect().TableExpr("verification_reason_codes AS r").Join("JOIN verifications AS v ON v.id = r.verification_id").
		ColumnExpr("r.code AS code").ColumnExpr("count(*) AS n")).Where("v.status = ?", models.StatusRejected).
		GroupExpr("r.code").OrderExpr("n DESC, code").Limit(10).Scan(ctx, &out.RejectionReasons)
	if err != nil {
		return nil, fmt.Errorf("analytics reasons: %w", err)
	}
	var lists []string
	err = s.DB.NewSelect().Model((*ReviewDecision)(nil)).Column("reason_codes").Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Where("decision = ?", "reject").Where("created_at >= ?", since).Scan(ctx, &lists)
	if err != nil {
		return nil, fmt.Errorf("analytics reviewer reasons: %w", err)
	}
	tally := map[string]int{}
	for _, l := range lists {
		for _, c := range strings.Split(l, ",") {
			if c != "" {
				tally[c]++
			}
		}
	}
	for c, n := range tally {
		out.ReviewerRejections = append(out.ReviewerRejections, CodeCount{Code: c, Count: n})
	}
	slices.SortFunc(out.ReviewerRejections, func(a, b CodeCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out, nil
}
