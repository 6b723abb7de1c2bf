package goldencopy

import "fmt"

// Column names of the LEI-CDF 3.1 CSV (level 1).
const (
	colLEI            = "LEI"
	colLegalName      = "Entity.LegalName"
	colLegalNameLang  = "Entity.LegalName.xmllang"
	colRAID           = "Entity.RegistrationAuthority.RegistrationAuthorityID"
	colRAOther        = "Entity.RegistrationAuthority.OtherRegistrationAuthorityID"
	colRAEntityID     = "Entity.RegistrationAuthority.RegistrationAuthorityEntityID"
	colJurisdiction   = "Entity.LegalJurisdiction"
	colCategory       = "Entity.EntityCategory"
	colSubCategory    = "Entity.EntitySubCategory"
	colLegalForm      = "Entity.LegalForm.EntityLegalFormCode"
	colLegalFormOther = "Entity.LegalForm.OtherLegalForm"
	colStatus         = "Entity.EntityStatus"
	colCreation       = "Entity.EntityCreationDate"
	colExpiration     = "Entity.EntityExpirationDate"
	colExpirationWhy  = "Entity.EntityExpirationReason"
	colSuccessorLEI   = "Entity.SuccessorEntity.1.SuccessorLEI"
	colSuccessorName  = "Entity.SuccessorEntity.1.SuccessorEntityName"
	colInitialReg     = "Registration.InitialRegistrationDate"
	colLastUpdate     = "Registration.LastUpdateDate"
	colRegStatus      = "Registration.RegistrationStatus"
	colNextRenewal    = "Registration.NextRenewalDate"
	colManagingLOU    = "Registration.ManagingLOU"
	colValidationSrc  = "Registration.ValidationSources"
	colValidatedAt    = "Registration.ValidationAuthority.ValidationAuthorityID"
	colValidatedAs    = "Registration.ValidationAuthority.ValidationAuthorityEntityID"
	colConformity     = "ConformityFlag"
)

// Older CDF 2.1 files name some columns differently; the reader accepts both.
var leiAliases = map[string][]string{
	colSuccessorLEI:  {"Entity.SuccessorEntity.SuccessorLEI"},
	colSuccessorName: {"Entity.SuccessorEntity.SuccessorEntityName"},
	colRAEntityID:    {"Entity.RegistrationAuthority.RegistrationAuthorityEntityID"},
}

const (
	maxOtherNames  = 5
	maxAddrExtra   = 3
	maxPeriods     = 5
	maxExcReasons  = 5
	addrLegal      = "Entity.LegalAddress."
	addrHQ         = "Entity.HeadquartersAddress."
	otherNameFmt   = "Entity.OtherEntityNames.OtherEntityName.%d"
	translitFmt    = "Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName.%d"
	periodFmt      = "Relationship.Period.%d."
	excReasonFmt   = "Exception.Reason.%d"
	excRefFmt      = "Exception.Reference.%d"
	excCategoryCol = "Exception.Category"
)

var addrParts = []string{"xmllang", "FirstAddressLine", "AddressNumber", "AddressNumberWithinBuilding",
	"MailRouting", "AdditionalAddressLine.1", "AdditionalAddressLine.2", "AdditionalAddressLine.3",
	"City", "Region", "Country", "PostalCode"}

// LEIHeader is the LEI-CDF 3.1 CSV header as written by LEIWriter.
var LEIHeader = func() []string {
	h := []string{colLEI, colLegalName, colLegalNameLang}
	for _, f := range []string{otherNameFmt, translitFmt} {
		for i := 1; i <= maxOtherNames; i++ {
			c := fmt.Sprintf(f, i)
			h = append(h, c, c+".xmllang", c+".type")
		}
	}
	for _, a := range []string{addrLegal, addrHQ} {
		for _, p := range addrParts {
			h = append(h, a+p)
		}
	}
	h = append(h, colRAID, colRAOther, colRAEntityID, colJurisdiction, colCategory, colSubCategory,
		colLegalForm, colLegalFormOther,
		"Entity.AssociatedEntity.type", "Entity.AssociatedEntity.AssociatedLEI",
		"Entity.AssociatedEntity.AssociatedEntityName", "Entity.AssociatedEntity.AssociatedEntityName.xmllang",
		colStatus, colCreation, colExpiration, colExpirationWhy,
	)
	// CDF 3.1 allows several successors; the column names follow GLEIF's files, including
	// the odd "SuccessorEntity.xmllang".
	for i := 1; i <= maxOtherNames; i++ {
		p := fmt.Sprintf("Entity.SuccessorEntity.%d.", i)
		h = append(h, p+"SuccessorLEI", p+"SuccessorEntityName", p+"SuccessorEntity.xmllang")
	}
	h = append(h, colInitialReg, colLastUpdate, colRegStatus, colNextRenewal, colManagingLOU, colValidationSrc,
		colValidatedAt, "Registration.ValidationAuthority.OtherValidationAuthorityID", colValidatedAs,
		colConformity)
	return h
}()

// RR-CDF columns (level 2).
const (
	colStartID     = "Relationship.StartNode.NodeID"
	colStartType   = "Relationship.StartNode.NodeIDType"
	colEndID       = "Relationship.EndNode.NodeID"
	colEndType     = "Relationship.EndNode.NodeIDType"
	colRelType     = "Relationship.RelationshipType"
	colRelStatus   = "Relationship.RelationshipStatus"
	colRRValidDocs = "Registration.ValidationDocuments"
	colRRValidRef  = "Registration.ValidationReference"
)

// RRHeader is the RR-CDF CSV header as written by RRWriter.
var RRHeader = func() []string {
	h := []string{colStartID, colStartType, colEndID, colEndType, colRelType, colRelStatus}
	for i := 1; i <= maxPeriods; i++ {
		p := fmt.Sprintf(periodFmt, i)
		h = append(h, p+"startDate", p+"endDate", p+"periodType")
	}
	h = append(h, "Relationship.Quantifiers.1.MeasurementMethod", "Relationship.Quantifiers.1.QuantifierAmount",
		"Relationship.Quantifiers.1.QuantifierUnits", colInitialReg, colLastUpdate, colRegStatus,
		colNextRenewal, colManagingLOU, colValidationSrc, colRRValidDocs, colRRValidRef)
	return h
}()

// RepexHeader is the reporting-exceptions CSV header as written by RepexWriter.
var RepexHeader = func() []string {
	h := []string{colLEI, excCategoryCol}
	for i := 1; i <= maxExcReasons; i++ {
		h = append(h, fmt.Sprintf(excReasonFmt, i))
	}
	for i := 1; i <= maxExcReasons; i++ {
		h = append(h, fmt.Sprintf(excRefFmt, i))
	}
	return h
}()

var repexAliases = map[string][]string{excCategoryCol: {"ExceptionCategory"}}
