package review

// appliedNote marks a journal as an apply of one plan, so a later apply of the same plan can
// find what it did.
func appliedNote(digest string) string { return "applying the reviewed plan " + digest }
