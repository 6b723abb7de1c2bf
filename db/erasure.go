package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// Erasure counts what EraseApplicant cleared. The rows themselves mostly stay, without their
// personal data, so the audit trail (ids, statuses, decisions, timestamps) survives.
type Erasure struct {
	// Verifications had their applicant data, external reference, metadata, identity token
	// copy and the personal parts of their result cleared.
	Verifications int `json:"verifications"`
	// Artifacts lost their image, analysis (document reading, face embedding) and image hash.
	Artifacts int `json:"artifacts"`
	// LivenessChallenges lost their stored verdict (the passed flag stays).
	LivenessChallenges int `json:"liveness_challenges"`
	// FaceEnrollments were deleted: duplicate search no longer knows the face.
	FaceEnrollments int `json:"face_enrollments"`
	// IdentityTokens were revoked and their reference face deleted.
	IdentityTokens int `json:"identity_tokens"`
	// DocumentUses (hashed document number and identity) were deleted.
	DocumentUses int `json:"document_uses"`
	// NFCScans attached to the verifications lost their sealed result (the chip's MRZ) and
	// portrait; the verdict flags stay.
	NFCScans int `json:"nfc_scans"`
	// AddressChecks attached to the verifications lost their sealed declared name and address
	// and what was read from the document; the status and document kind stay.
	AddressChecks int `json:"address_checks"`
	// Questionnaires of the verifications lost their sealed answers and files (issue #22);
	// the version asked and its rules stay.
	Questionnaires int `json:"questionnaires"`
	// ScreeningDecisions on the applicant lost their reason and entity name, and one recorded
	// under the external reference now names the applicant id (the verdicts stay).
	ScreeningDecisions int `json:"screening_decisions"`
	// Events of the verifications' timelines had their data reduced to what names no person.
	Events int `json:"events"`
	// Signals of the verifications (the first and latest request's IP, country, ASN and user
	// agent, and the IP hashes kept for velocity) were erased; the reason codes stay.
	Signals int `json:"signals"`
	// IdempotentResponses (stored replies that repeated the applicant data) were replaced by
	// IdempotencyErased.
	IdempotentResponses int `json:"idempotent_responses"`
	// DataKeys of the applicant and its verifications were destroyed (crypto-shredding):
	// every copy of what they sealed, in the WAL or a backup, is unreadable.
	DataKeys int `json:"data_keys"`
}

// ErasedNote replaces the messages of reasons in erased results and events: they may quote
// the applicant's name (a screening hit does).
const ErasedNote = "erased with the applicant's personal data"

// LockApplicantForErasure finds the applicant to erase, by id or else by external reference,
// in the scope, and locks it (PostgreSQL: FOR UPDATE, so two erasures, or an erasure and a
// decision, serialise). It returns the applicant with its verifications, oldest first, locked
// too. An applicant already erased is returned with ErrConflict.
func (tx *Tx) LockApplicantForErasure(ctx context.Context, sc Scope, id, externalRef string) (*models.Applicant, []models.Verification, error) {
	a := new(models.Applicant)
	q := tx.NewSelect().Model(a).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if id != "" {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("external_ref = ?", externalRef)
	}
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, nil, notFound(err, "applicant")
	}
	if a.DeletedAt != nil {
		return a, nil, fmt.Errorf("applicant %s was erased at %s: %w", a.ID, a.DeletedAt.UTC().Format(time.RFC3339), ErrConflict)
	}
	var vs []models.Verification
	vq := tx.NewSelect().Model(&vs).Where("applicant_id = ?", a.ID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Order("id ASC")
	if tx.store.Dialect == Postgres {
		vq = vq.For("UPDATE")
	}
	if err := vq.Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("verifications of applicant: %w", err)
	}
	return a, vs, nil
}

// EraseApplicant erases, in tx, every piece of personal data of an applicant (locked with
// LockApplicantForErasure) and its verifications, and marks both deleted:
//
//   - applicants: pii, profile and external_ref cleared (NULL), deleted_at set;
//   - verifications: applicant_pii, external_ref and identity_token cleared, metadata emptied,
//     a manual review's reason replaced by an empty sealed text (decision, reviewer and time
//     stay), result reduced to the decision, per-check outcomes, scores, versions, reason codes and
//     evidence that names no one; deleted_at set;
//   - artifacts: image, analysis (document reading, face embedding) and image hash cleared,
//     purged_at set — the row (kind, size, times) stays;
//   - liveness_challenges: the stored verdict (result) cleared;
//   - nfc_scans: the sealed result (with the chip's MRZ) and portrait cleared;
//   - address_checks (issue #23): the sealed input and result and the external_ref cleared;
//   - verification_questionnaires (issue #22): the sealed answers cleared; questionnaire_files
//     (the files given as answers) deleted;
//   - signals (issue #28): the sealed first and latest request signals and the fingerprint
//     cleared, the verifications' IP hashes in signal_ips deleted;
//   - face_enrollments and document_uses: deleted;
//   - identity_tokens: revoked, reference embeddings deleted (emptied);
//   - screening_decisions under the applicant id or its external references: reason replaced
//     by an empty sealed text, entity name cleared, the subject named by the applicant id;
//   - events of the verifications: data reduced to an allow-list of keys that name no person
//     (ids, statuses, decisions, reason codes, list references of screening hits);
//   - idempotency_keys whose stored response names the applicant: response and request hash
//     replaced by IdempotencyErased, so a replay is refused instead of creating anew.
//
// Screening alerts (applicant id, list entry, score) and consent events (a statement hash)
// hold no personal data and stay. Open verifications must be cancelled before (the caller
// does it through jobs, which records the event).
func (tx *Tx) EraseApplicant(ctx context.Context, sc Scope, a *models.Applicant) (*Erasure, error) {
	s := tx.store
	now := s.Now()
	out := &Erasure{}
	var vs []models.Verification
	err := tx.NewSelect().Model(&vs).Column("id", "external_ref", "result").Where("applicant_id = ?", a.ID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("verifications of applicant: %w", err)
	}
	refs := []string{a.ID}
	if a.ExternalRef != nil && *a.ExternalRef != "" {
		refs = append(refs, *a.ExternalRef)
	}
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
		if v.ExternalRef != nil && *v.ExternalRef != "" && !contains(refs, *v.ExternalRef) {
			refs = append(refs, *v.ExternalRef)
		}
		if v.Result == nil {
			continue
		}
		raw, err := s.keys.OpenText(*v.Result)
		if err != nil {
			return nil, fmt.Errorf("verification %s: open result: %w", v.ID, err)
		}
		scrubbed, err := scrubResult(raw)
		if err != nil {
			return nil, fmt.Errorf("verification %s: %w", v.ID, err)
		}
		if _, err := tx.NewUpdate().Model((*models.Verification)(nil)).Set("result = ?", scrubbed).Where("id = ?", v.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("erase result of %s: %w", v.ID, err)
		}
	}

	res, err := tx.NewUpdate().Model((*models.Applicant)(nil)).Set("pii = NULL").Set("profile = NULL").
		Set("external_ref = NULL").Set("deleted_at = ?", now).Set("updated_at = ?", now).
		Where("id = ?", a.ID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("erase applicant: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fmt.Errorf("erase applicant %s: %w", a.ID, ErrNotFound)
	}
	a.PII, a.Profile, a.ExternalRef, a.DeletedAt, a.UpdatedAt = nil, nil, nil, &now, now

	// An empty sealed text stands in for erased sealed texts that readers expect to open (the
	// reviewer's and the analysts' reasons): the decision stays readable, the reason is gone.
	emptySealed, err := s.keys.Seal(nil)
	if err != nil {
		return nil, fmt.Errorf("seal empty reason: %w", err)
	}
	if len(ids) > 0 {
		if out.Verifications, err = count(tx.NewUpdate().Model((*models.Verification)(nil)).Set("applicant_pii = NULL").
			Set("external_ref = NULL").Set("identity_token = NULL").Set("metadata = '{}'").
			Set("deleted_at = ?", now).Set("updated_at = ?", now).
			Where("applicant_id = ?", a.ID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)); err != nil {
			return nil, fmt.Errorf("erase verifications: %w", err)
		}
		_, err = tx.NewUpdate().Model((*models.Verification)(nil)).Set("review_reason_sealed = ?", emptySealed).
			Where("applicant_id = ?", a.ID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Where("review_reason_sealed IS NOT NULL").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("erase review reasons: %w", err)
		}
		if out.Artifacts, err = count(tx.NewUpdate().Model((*models.Artifact)(nil)).Set("data = NULL").Set("analysis = NULL").
			Set("sha256 = ''").Set("purged_at = COALESCE(purged_at, ?)", now).
			Where("verification_id IN (?)", bun.List(ids)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			WhereGroup(" AND ", func(q *bun.UpdateQuery) *bun.UpdateQuery {
				return q.Where("data IS NOT NULL").WhereOr("analysis IS NOT NULL").WhereOr("sha256 <> ''")
			}).Exec(ctx)); err != nil {
			return nil, fmt.Errorf("erase artifacts: %w", err)
		}
		if out.LivenessChallenges, err = count(tx.NewUpdate().Model((*models.LivenessChallenge)(nil)).Set("result = NULL").
			Where("verification_id IN (?)", bun.List(ids)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Where("result IS NOT NULL").Exec(ctx)); err != nil {
			return nil, fmt.Errorf("erase liveness results: %w", err)
		}
		if out.IdentityTokens, err = count(tx.NewUpdate().Model((*models.IdentityToken)(nil)).
			Set("revoked_at = COALESCE(revoked_at, ?)", now).Set("embedding = ?", []byte{}).Set("cross_check = NULL").
			Where("verification_id IN (?)", bun.List(ids)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Exec(ctx)); err != nil {
			return nil, fmt.Errorf("erase identity tokens: %w", err)
		}
		if out.DocumentUses, err = count(tx.NewDelete().Model((*models.DocumentUse)(nil)).
			Where("verification_id IN (?)", bun.List(ids)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Exec(ctx)); err != nil {
			return nil, fmt.Errorf("erase document uses: %w", err)
		}
		if out.NFCScans, err = tx.EraseNFCScans(ctx, sc, ids); err != nil {
			return nil, err
		}
		if out.AddressChecks, err = tx.EraseAddressChecks(ctx, sc, ids); err != nil {
			return nil, fmt.Errorf("erase address checks: %w", err)
		}
		if out.Questionnaires, err = tx.EraseQuestionnaireAnswers(ctx, sc, ids); err != nil {
			return nil, err
		}
		if out.Events, err = tx.scrubEvents(ctx, sc, ids); err != nil {
			return nil, err
		}
		if out.Signals, err = tx.EraseSignals(ctx, sc, ids); err != nil {
			return nil, err
		}
		// Email and phone checks attached to the verifications (db/contact.go).
		if _, err := tx.EraseContacts(ctx, sc, ids); err != nil {
			return nil, err
		}
		// The dashboard's name search (blind indexes of the name and its words) forgets the
		// verifications now, not when the index is next brought up to date: a keyed hash of a
		// name still confirms a guess of it.
		if _, err := tx.NewDelete().Model((*nameIndexRow)(nil)).
			Where("verification_id IN (?)", bun.List(ids)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
			Exec(ctx); err != nil {
			return nil, fmt.Errorf("erase name index: %w", err)
		}
	}
	// Enrolments are matched by applicant too: duplicate search keys faces by both.
	q := tx.NewDelete().Model((*models.FaceEnrollment)(nil)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if len(ids) > 0 {
		q = q.WhereGroup(" AND ", func(q *bun.DeleteQuery) *bun.DeleteQuery {
			return q.Where("applicant_id = ?", a.ID).WhereOr("verification_id IN (?)", bun.List(ids))
		})
	} else {
		q = q.Where("applicant_id = ?", a.ID)
	}
	if out.FaceEnrollments, err = count(q.Exec(ctx)); err != nil {
		return nil, fmt.Errorf("erase face enrollments: %w", err)
	}

	if out.ScreeningDecisions, err = count(tx.NewUpdate().Model((*models.ScreeningDecision)(nil)).
		Set("reason_sealed = ?", emptySealed).Set("entity_name = ''").Set("subject_ref = ?", a.ID).
		Where("subject_ref IN (?)", bun.List(refs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Exec(ctx)); err != nil {
		return nil, fmt.Errorf("erase screening decisions: %w", err)
	}

	// Stored replies of creating calls (create_verification, reverify) repeat the applicant
	// data; every one names the applicant id. The request hash is of the same data.
	if out.IdempotentResponses, err = tx.eraseIdempotentResponses(ctx, sc, a.ID); err != nil {
		return nil, err
	}

	// Last, the data keys: what was sealed with them (the applicant data, results, events,
	// reasons, images, templates of this applicant) is unreadable in every copy from now on,
	// in the WAL and in backups too. What the steps above left is plain and names no one.
	if out.DataKeys, err = tx.ShredDataKeys(ctx, append([]string{a.ID}, ids...)); err != nil {
		return nil, err
	}
	return out, nil
}

// eraseIdempotentResponses replaces the stored replies that name the applicant: plain ones
// (before migration 0020) found by LIKE, sealed ones by opening each of the scope's (a reply
// lives IdempotencyTTL, so these are a day's creations; ones sealed with a key already
// shredded name an applicant erased before and are refused on replay anyway).
func (tx *Tx) eraseIdempotentResponses(ctx context.Context, sc Scope, applicantID string) (int, error) {
	var rows []struct {
		Key      string `bun:"key"`
		Response string `bun:"response"`
	}
	err := tx.NewSelect().TableExpr("idempotency_keys").Column("key", "response").
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(`response LIKE ? ESCAPE '\'`, "%"+likeEscape(applicantID)+"%").
				WhereOr(`response LIKE ? ESCAPE '\'`, likeEscape(sealedTextPrefix)+"%")
		}).Scan(ctx, &rows)
	if err != nil {
		return 0, fmt.Errorf("idempotent responses: %w", err)
	}
	n := 0
	for _, r := range rows {
		plain, err := tx.store.keys.OpenText(r.Response)
		if errors.Is(err, ErrShredded) || (err == nil && !strings.Contains(plain, applicantID)) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("open idempotent response: %w", err)
		}
		_, err = tx.NewUpdate().TableExpr("idempotency_keys").Set("response = ?", IdempotencyErased).
			Set("request_hash = ?", IdempotencyErased).Where("account_id = ?", sc.AccountID).
			Where("mode = ?", sc.Mode).Where("key = ?", r.Key).Exec(ctx)
		if err != nil {
			return n, fmt.Errorf("erase idempotent response: %w", err)
		}
		n++
	}
	return n, nil
}

func count(res interface{ RowsAffected() (int64, error) }, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// scrubEvents reduces the data of the verifications' events to the allow-listed keys.
func (tx *Tx) scrubEvents(ctx context.Context, sc Scope, ids []string) (int, error) {
	return tx.rewriteEvents(ctx, sc, ids, ScrubEventData)
}

// rewriteEvents replaces the data of the objects' events by what keep makes of it (stored
// plain from then on: what keep leaves names no one) and counts the events it changed.
func (tx *Tx) rewriteEvents(ctx context.Context, sc Scope, objectIDs []string, keep func(map[string]any) map[string]any) (int, error) {
	var evs []models.Event
	err := tx.NewSelect().Model(&evs).Column("id", "data").Where("object_id IN (?)", bun.List(objectIDs)).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return 0, fmt.Errorf("events of %v: %w", objectIDs, err)
	}
	n := 0
	for _, ev := range evs {
		stored := ev.Data
		if err := tx.store.openEvent(&ev); err != nil {
			return n, err
		}
		var data map[string]any
		if err := json.Unmarshal([]byte(ev.Data), &data); err != nil {
			data = map[string]any{} // not an object: nothing of it can be vouched for
		}
		b, err := json.Marshal(keep(data))
		if err != nil {
			return n, err
		}
		if string(b) == stored {
			continue
		}
		if _, err := tx.NewUpdate().Model((*models.Event)(nil)).Set("data = ?", string(b)).Where("id = ?", ev.ID).Exec(ctx); err != nil {
			return n, fmt.Errorf("scrub event %s: %w", ev.ID, err)
		}
		n++
	}
	return n, nil
}

// eventKeys are the event data keys that name no person. Anything else (a free-text reason,
// a reviewer's note, a key added later) is dropped from an erased applicant's events: a key
// a new producer adds is kept only once it is listed here.
var eventKeys = map[string]bool{
	"verification_id": true, "reference": true, "status": true, "previous_status": true, "checks": true,
	"reused_from": true, "statement_sha256": true, "locale": true, "via": true, "side": true, "artifact_id": true,
	"first_upload": true, "decision": true, "kind": true, "other_verification_id": true, "score": true,
	"threshold": true, "cause": true, "lists": true, "reviewer": true, "erased": true,
}

// ScrubEventData is what stays of an event's data when its applicant is erased: the
// allow-listed keys, reasons reduced to their codes and screening hits to their list entry.
func ScrubEventData(data map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range data {
		switch {
		case k == "reasons":
			out[k] = scrubReasons(v)
		case k == "hits":
			out[k] = scrubHits(v)
		case eventKeys[k]:
			out[k] = v
		}
	}
	return out
}

func scrubReasons(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, r := range list {
		m, _ := r.(map[string]any)
		c := map[string]any{"code": m["code"], "message": ErasedNote}
		if ch, ok := m["check"]; ok {
			c["check"] = ch
		}
		out = append(out, c)
	}
	return out
}

// hitKeys are the parts of a screening hit that name the list entry, not the person screened.
var hitKeys = []string{"source", "source_id", "entity_type", "match_kind", "score", "threshold", "strong", "fingerprint"}

func scrubHits(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, h := range list {
		m, _ := h.(map[string]any)
		c := map[string]any{}
		for _, k := range hitKeys {
			if x, ok := m[k]; ok {
				c[k] = x
			}
		}
		out = append(out, c)
	}
	return out
}

// detailKeys are the check evidence keys that name no person (document validity flags,
// counts, screening hits reduced to their list entries).
var detailKeys = map[string]bool{
	"document_type": true, "document_code": true, "expired": true, "mrz_valid": true, "is_valid": true,
	"extraction_confidence": true, "portrait_found": true, "images": true, "cleared": true,
}

// scrubResult keeps of a stored result the decision, its time, per-check outcomes, scores,
// versions and reason codes, and the allow-listed evidence.
func scrubResult(raw string) (string, error) {
	var r models.VerificationResult
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return "", fmt.Errorf("decode result: %w", err)
	}
	for i := range r.Reasons {
		r.Reasons[i].Message = ErasedNote
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		for j := range c.Reasons {
			c.Reasons[j].Message = ErasedNote
		}
		if c.Details == nil {
			continue
		}
		details := map[string]any{}
		for k, v := range c.Details {
			switch {
			case k == "hits":
				details[k] = scrubHits(v)
			case detailKeys[k]:
				details[k] = v
			}
		}
		c.Details = details
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// FaceEnrolled reports whether a verification's face is still enrolled for duplicate search
// (an erased applicant's is not, though a process may still hold it in memory).
func (s *Store) FaceEnrolled(ctx context.Context, sc Scope, verificationID string) (bool, error) {
	n, err := s.DB.NewSelect().Model((*models.FaceEnrollment)(nil)).Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("face enrolled: %w", err)
	}
	return n > 0, nil
}
