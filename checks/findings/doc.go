// Package findings holds what the contact engines (checks/email, checks/phone) report
// alongside their data: a risk level and machine-readable reasons. It is a leaf package
// so that engines share one definition without importing each other; the engines
// re-export the types under their own names (email.RiskLevel, phone.Reason …).
package findings
