package tools

// All returns every product tool, compiled. Adding a tool here makes it appear on every surface.
func All() []Descriptor {
	return []Descriptor{
		CreateVerification.Compile(),
		GetVerification.Compile(),
		ListVerifications.Compile(),
		CancelVerification.Compile(),
		SubmitVerification.Compile(),
		ListVerificationEvents.Compile(),
		GetApplicant.Compile(),
		ListApplicants.Compile(),
		ReadMRZ.Compile(),
	}
}
