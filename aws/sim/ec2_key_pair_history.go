package sim

import (
	"fmt"
	"sort"
)

// keyPairElements are what CloudTrail keeps of a CreateKeyPair or ImportKeyPair answer: the key
// pair's name, fingerprint and id, never its private key.
func keyPairElements(k createKeyPairXML) (any, []lookupResource) {
	return map[string]any{"keyName": k.Name, "keyFingerprint": k.Fingerprint, "keyPairId": k.ID},
		[]lookupResource{{"AWS::EC2::KeyPair", k.ID}}
}

// seedKeyPairHistory writes the CloudTrail event that made each scenario key pair with a `by`.
func (s *Server) seedKeyPairHistory(spec EC2Spec) error {
	specs := append([]KeyPairSpec(nil), spec.KeyPairs...)
	sort.SliceStable(specs, func(i, j int) bool { return specs[i].Region < specs[j].Region })
	for _, ks := range specs {
		if ks.By == "" {
			continue
		}
		k := s.ec2.region(ks.Region).keyPair(ks.Name)
		if k == nil {
			continue
		}
		action := "CreateKeyPair"
		params := map[string]any{"keyName": k.Name, "keyType": "rsa"}
		if ks.Imported {
			action = "ImportKeyPair"
			params = map[string]any{"keyName": k.Name, "publicKeyMaterial": "<sensitiveDataRemoved>"}
		}
		response, resources := keyPairElements(createKeyPairXML{Name: k.Name, Fingerprint: k.Fingerprint, ID: k.ID})
		if err := s.historyEvent(ks.By, k.Created, ks.Region, "ec2", action, params, response, resources); err != nil {
			return fmt.Errorf("key pair %s in %s: %w", ks.Name, ks.Region, err)
		}
	}
	return nil
}
