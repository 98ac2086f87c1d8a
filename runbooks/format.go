package runbooks

// FormatKeys are the keys the runbook format accepts where they appear: at the top of the file
// ("runbook"), in a step ("step") and in a checklist item written as a mapping ("checklist item").
// Tools that describe the format read them here: `lockdown validate`, telling a runbook from a
// scenario, and the test that holds the JSON Schema in docs/ to the loader.
func FormatKeys() map[string][]string {
	return map[string][]string{
		"runbook":        append([]string(nil), runbookKeys...),
		"step":           append([]string(nil), stepKeys...),
		"checklist item": append([]string(nil), checklistItemKeys...),
	}
}
