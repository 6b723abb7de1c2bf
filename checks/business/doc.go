// Package business is the KYB engine: it identifies a company in the Global LEI
// System (GLEIF), assesses the record, and builds the company's ownership graph.
//
// Two sources answer the same questions with the same record types:
//
//   - Client, a GLEIF JSON:API client (timeouts, retries with backoff that honour
//     Retry-After, pagination, an optional response Cache with TTL, typed errors);
//   - Offline, backed by a Register filled from GLEIF's Golden Copy files (see the
//     goldencopy sub-package), for operators who do not want to call GLEIF at run time.
//
// Both implement Source, so candidate selection (Select), the ownership graph
// (BuildGraph) and the assessment (Assess) do not care where the data came from.
// Names are compared after company-specific normalisation (NormalizeName): legal-form
// words, punctuation, case, diacritics and scripts are folded, so "PUMA SE" and
// "Puma Societas Europaea" compare equal. Selection never picks silently: one clear
// winner is taken, anything else is ambiguous with ranked, explained candidates.
//
// Screening of the entity, its parents and its officers is done by the caller:
// ScreeningNames lists the names to screen.
package business
