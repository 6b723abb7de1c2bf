package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
)

// Component states of /health: ok; degraded (kycd serves, but a part of it answers less than
// it could: no sanctions list loaded, no worker alive, OCR absent); down (the part does not
// work: the database, or a check this server cannot run).
const (
	healthOK       = "ok"
	healthDegraded = "degraded"
	healthDown     = "down"
)

// healthPart is one component of /health.
type healthPart struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// healthReport is the body of GET /health.
type healthReport struct {
	Status   string                `json:"status"`
	Version  string                `json:"version"`
	Database healthDatabase        `json:"database"`
	Checks   map[string]healthPart `json:"checks"`
	OCR      healthPart            `json:"ocr"`
	Lists    healthLists           `json:"screening_lists"`
	Workers  healthWorkers         `json:"workers"`
}

type healthDatabase struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type healthLists struct {
	Status string       `json:"status"`
	Reason string       `json:"reason,omitempty"`
	Loaded []healthList `json:"loaded"`
}

type healthList struct {
	Source   string    `json:"source"`
	Entities int       `json:"entities"`
	SHA256   string    `json:"sha256"`
	LoadedAt time.Time `json:"loaded_at"`
}

type healthWorkers struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Live   int    `json:"live"`
}

// checkStates says, for every check a verification may name, whether this server can run it
// and why not.
func (e *engines) checkStates(biometricsMode string, emailUnavailable string) map[string]healthPart {
	out := map[string]healthPart{}
	for _, ch := range models.AllChecks {
		p := healthPart{Status: healthOK}
		if _, ok := e.runners[ch]; !ok {
			p.Status = healthDown
			switch ch {
			case models.CheckFaceMatch, models.CheckLiveness, models.CheckAge:
				p.Reason = "the face engine did not start here (ONNX Runtime or the face models are missing; the start log says which)"
				if biometricsMode == "off" {
					p.Reason = "turned off (--biometrics off)"
				}
			case models.CheckNFC:
				p.Reason = "no CSCA certificate in the database (kycd csca import)"
			default:
				p.Reason = "not available on this server"
			}
		}
		if ch == models.CheckEmail && emailUnavailable != "" {
			p = healthPart{Status: healthDown, Reason: emailUnavailable}
		}
		out[string(ch)] = p
	}
	return out
}

func ocrState() healthPart {
	if document.TesseractAvailable {
		return healthPart{Status: healthOK}
	}
	return healthPart{Status: healthDegraded, Reason: "built without Tesseract: documents are read from their MRZ text only when it is given (read_mrz text), not from pictures"}
}

// report builds the health report. The database is asked with a deadline; everything else
// is what this process holds.
func (a *app) report(ctx context.Context) (healthReport, int) {
	r := healthReport{Status: healthOK, Version: version, OCR: ocrState(),
		Database: healthDatabase{Kind: string(a.store.Dialect), Status: healthOK}}
	emailWhy := ""
	if c := a.reg.Deps().Contact; c != nil {
		emailWhy = c.EmailUnavailable()
	}
	r.Checks = a.engines.checkStates(a.cfg.Biometrics.Mode, emailWhy)
	code := http.StatusOK
	if err := a.store.Ping(ctx); err != nil {
		r.Database.Status, r.Database.Reason = healthDown, "unavailable"
		r.Status, code = healthDown, http.StatusServiceUnavailable
	}
	r.Lists = healthLists{Status: healthOK, Loaded: []healthList{}}
	for _, v := range a.engines.screening.Screener().Versions() {
		r.Lists.Loaded = append(r.Lists.Loaded, healthList{Source: v.Source, Entities: v.Entities, SHA256: v.SHA256, LoadedAt: v.LoadedAt.UTC()})
	}
	sort.Slice(r.Lists.Loaded, func(i, j int) bool { return r.Lists.Loaded[i].Source < r.Lists.Loaded[j].Source })
	if len(r.Lists.Loaded) == 0 {
		r.Lists.Status, r.Lists.Reason = healthDegraded, "no sanctions list is loaded: screening refuses to run (kycd lists update)"
	}
	r.Workers.Status = healthOK
	if r.Database.Status == healthOK {
		n, err := a.store.LiveWorkers(ctx, jobs.DefaultOrphanAfter)
		switch {
		case err != nil:
			r.Workers.Status, r.Workers.Reason = healthDegraded, "could not be counted"
		case n == 0:
			r.Workers.Status, r.Workers.Reason = healthDegraded, "no worker process is alive: submitted verifications wait (start kycd serve without --no-workers, or kycd worker)"
		}
		r.Workers.Live = n
	} else {
		r.Workers.Status, r.Workers.Reason = healthDown, "the database is down"
	}
	if r.Status == healthOK {
		for _, s := range []string{r.OCR.Status, r.Lists.Status, r.Workers.Status} {
			if s != healthOK {
				r.Status = healthDegraded
			}
		}
	}
	return r, code
}

// health answers GET /health: 200 while the database answers (status ok or degraded, with
// every part's state and reason), 503 when it does not. No key is needed and nothing
// personal is shown.
func (a *app) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	rep, code := a.report(ctx)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(rep)
}

// logEngines says at start which checks this server can run, and why not the others.
func (a *app) logEngines(logger *slog.Logger) {
	emailWhy := ""
	if c := a.reg.Deps().Contact; c != nil {
		emailWhy = c.EmailUnavailable()
	}
	var on []string
	for _, ch := range models.AllChecks {
		p := a.engines.checkStates(a.cfg.Biometrics.Mode, emailWhy)[string(ch)]
		if p.Status == healthOK {
			on = append(on, string(ch))
			continue
		}
		logger.Info("check unavailable", "check", ch, "reason", p.Reason)
	}
	ocr := ocrState()
	logger.Info("checks available", "checks", on, "ocr", ocr.Status)
}
