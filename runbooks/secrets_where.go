package runbooks

import "strings"

// SecretsFileNote starts the note an apply journals to say where it keeps new secrets (the file's
// path, never a secret), so a later run can tell where a kept secret was written.
const SecretsFileNote = "new secrets are kept in "

// SecretsWritten says, for each new key whose secret the entries record as kept, where it was
// written: a secrets file's path, or the operator's word that it is stored elsewhere.
func SecretsWritten(entries []Entry) map[string]string {
	files := map[string]string{}
	for _, e := range entries {
		if path, ok := strings.CutPrefix(e.Message, SecretsFileNote); ok && e.Kind == KindNote {
			files[e.Incident] = path
		}
	}
	out := map[string]string{}
	for _, e := range entries {
		key, how := SecretKeptKey(e)
		if key == "" {
			continue
		}
		where := field(e.Data, "path")
		switch {
		case how == SecretStoredElsewhere:
			where = "stored elsewhere, on the operator's word"
		case where == "" && files[e.Incident] != "":
			where = files[e.Incident]
		case where == "":
			where = "the secrets file of the run that made it"
		}
		if out[key] == "" || e.Kind == KindSecretKept {
			out[key] = where
		}
	}
	return out
}
