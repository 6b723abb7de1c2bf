package tools

// All returns every product tool, compiled. Adding a tool here makes it appear on every surface.
// The order, by what the tools work on, is the order of the README's tool table.
func All() []Descriptor {
	return []Descriptor{
		CreateVerification.Compile(),
		GetVerification.Compile(),
		ListVerifications.Compile(),
		CancelVerification.Compile(),
		ReviewVerification.Compile(),
		SubmitVerification.Compile(),
		ListVerificationEvents.Compile(),
		GetApplicant.Compile(),
		ListApplicants.Compile(),
		DeleteApplicant.Compile(),
		ListEvents.Compile(),
		CreateWebhookEndpoint.Compile(),
		ListWebhookEndpoints.Compile(),
		UpdateWebhookEndpoint.Compile(),
		DeleteWebhookEndpoint.Compile(),
		RotateWebhookSecret.Compile(),
		ListWebhookDeliveries.Compile(),
		ReplayWebhookDelivery.Compile(),
		ReadMRZ.Compile(),
		RecordConsent.Compile(),
		SubmitDocument.Compile(),
		SubmitSelfie.Compile(),
		CompareFaces.Compile(),
		GetLivenessChallenge.Compile(),
		SubmitLiveness.Compile(),
		Reverify.Compile(),
		RevokeIdentityToken.Compile(),
		ScreenPerson.Compile(),
		ScreenEntity.Compile(),
		ScreenTransaction.Compile(),
		ListScreeningLists.Compile(),
		ResolveScreeningHit.Compile(),
		VerifyEmail.Compile(),
		VerifyPhone.Compile(),
		ConfirmCode.Compile(),
	}
}
