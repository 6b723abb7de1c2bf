package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/models"
)

// Sandbox LEIs of verify_business. With a test key, an LEI of the sandbox register (LOU prefix
// 7E57, "test", which GLEIF has not assigned) is answered by a small in-memory register
// instead of GLEIF, and the real pipeline runs on its records: identification, the ownership
// graph, the assessment, screening of the names, the decision. The result says forced_by.
// With a live key the LEI goes to the configured register, which does not know it.

// sandboxLOU is the LOU prefix of the sandbox LEIs.
const sandboxLOU = "7E5700"

// sandboxCompany is one company of the sandbox register.
type sandboxCompany struct {
	entity    string // the 12 characters after the LOU prefix
	name      string
	country   string
	status    string // entity status
	reg       string // registration status
	expiry    string // expiration reason ("" = none)
	exception string // reporting-exception reason for both levels ("" = a parent instead)
	result    string
	desc      string
}

var sandboxCompanies = []sandboxCompany{
	{entity: "ACTIVE000001", name: "Sandbox Trading Ltd", country: "GB", status: "ACTIVE", reg: "ISSUED", exception: "NATURAL_PERSONS",
		result: "approved, low risk", desc: "an active company with an issued LEI, owned by natural persons"},
	{entity: "LAPSED000002", name: "Sandbox Lapsed GmbH", country: "DE", status: "ACTIVE", reg: "LAPSED", exception: "NATURAL_PERSONS",
		result: "needs_review (lei_lapsed)", desc: "an active company whose LEI was not renewed"},
	{entity: "DISSOLVED003", name: "Sandbox Dissolved BV", country: "NL", status: "INACTIVE", reg: "RETIRED", expiry: "DISSOLVED", exception: "NATURAL_PERSONS",
		result: "rejected (entity_inactive)", desc: "a dissolved company"},
	{entity: "WITHHELD0004", name: "Sandbox Holdings SA", country: "LU", status: "ACTIVE", reg: "ISSUED", exception: "NON_PUBLIC",
		result: "needs_review (reporting_exception)", desc: "a company that withholds its parent (NON_PUBLIC)"},
	{entity: "HIGHRISK0005", name: "Sandbox Shipping LLC", country: "IR", status: "ACTIVE", reg: "ISSUED", exception: "NATURAL_PERSONS",
		result: "needs_review (high_risk_jurisdiction)", desc: "a company registered in a high-risk jurisdiction"},
}

// sandboxLEI is the full LEI (with check digits) of a sandbox company.
func (c sandboxCompany) lei() string {
	prefix := sandboxLOU + c.entity
	return prefix + business.CheckDigits(prefix)
}

// sandboxRegister is the register test-mode sandbox LEIs are answered from.
var sandboxRegister = func() business.Source {
	mem := business.NewMemRegister()
	ctx := context.Background()
	created := time.Date(2015, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range sandboxCompanies {
		r := business.Record{LEI: c.lei(), LegalName: business.Name{Name: c.name, Language: "en"},
			LegalAddress:        business.Address{Lines: []string{"1 Sandbox Street"}, City: "Sandbox", Country: c.country},
			HeadquartersAddress: business.Address{Lines: []string{"1 Sandbox Street"}, City: "Sandbox", Country: c.country},
			Jurisdiction:        c.country, Category: "GENERAL", EntityStatus: c.status, CreationDate: created, ExpirationReason: c.expiry,
			Registration: business.Registration{InitialRegistrationDate: created, LastUpdateDate: created.AddDate(9, 0, 0),
				Status: c.reg, NextRenewalDate: created.AddDate(12, 0, 0), ManagingLOU: sandboxLOU + "SANDBOXLOU00", CorroborationLevel: "FULLY_CORROBORATED"}}
		if c.expiry != "" {
			r.ExpirationDate = created.AddDate(8, 0, 0)
		}
		if err := mem.PutRecord(ctx, r); err != nil {
			panic(fmt.Sprintf("sandbox register: %v", err))
		}
		for _, l := range []business.Level{business.Direct, business.Ultimate} {
			if err := mem.PutReportingException(ctx, business.ReportingException{LEI: r.LEI, Category: l.ExceptionCategory(), Reason: c.exception}); err != nil {
				panic(fmt.Sprintf("sandbox register: %v", err))
			}
		}
	}
	return business.Offline{Register: mem}
}()

func init() {
	for _, c := range sandboxCompanies {
		AddSandboxRules(SandboxRule{Value: c.lei(), Applies: "verify_business: lei", Result: c.result, Description: c.desc + " (" + c.name + ")"})
	}
}

// sandboxBusiness is the sandbox LEI a test-mode company check names, or "" (always in live
// mode, and for any other LEI).
func sandboxBusiness(mode models.Mode, in BusinessInput) string {
	if mode != models.ModeTest {
		return ""
	}
	lei := business.NormalizeLEI(in.LEI)
	if !strings.HasPrefix(lei, sandboxLOU) {
		return ""
	}
	for _, c := range sandboxCompanies {
		if c.lei() == lei {
			return lei
		}
	}
	return ""
}
