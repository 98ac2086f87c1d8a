package steps

// Builtin returns the registry of every action lockdown ships.
func Builtin() *Registry {
	return NewRegistry(
		ConfirmIdentity{},
		ContainKey{},
		CredentialInventory{},
		RotateKeys{},
		RemoveBackdoorUsers{},
		RevokeSessions{},
	)
}
