package steps

// Builtin returns the registry of every action lockdown ships, in runbook order.
func Builtin() *Registry {
	return NewRegistry(
		ConfirmIdentity{},
		ContainKey{},
		TraceAttacker{},
		CredentialInventory{},
		RotateKeys{},
		RemoveBackdoorUsers{},
		DisableAttackerKeys{},
		RevokeSessions{},
		RemoveIAMPersistence{},
		RequirePasswordReset{},
		RestoreLogging{},
		FindRogueInstances{},
		StopRespawners{},
		TerminateInstances{},
		DeleteKeyPairs{},
		CloseExposure{},
		VerifyContained{},
	).WithChecks(builtinChecks()...)
}
