package sim

// The identities a scenario's responders act as: the responder, its grants, and break-glass.

import (
	"errors"
	"fmt"
	"time"
)

// ensureResponder makes sure the drill's responder exists with a usable key.
func (st *iamState) ensureResponder(s *Server, r ResponderSpec) error {
	name := r.User
	if name == "" {
		name = "oncall-responder"
	}
	if k, ok := st.keys[r.AccessKeyID]; ok && r.AccessKeyID != "" {
		st.responderKey = k
		if err := st.grantResponder(st.users[k.User], r); err != nil {
			return err
		}
		return st.addBreakGlass(s, r.BreakGlass)
	}
	u, ok := st.users[name]
	if !ok {
		u = st.newUser(s, name, "/", s.start.Add(-365*24*time.Hour))
	}
	k, err := st.addKey(s, u, KeySpec{ID: r.AccessKeyID, Secret: r.SecretAccessKey, Created: "-90d"})
	if err != nil {
		return fmt.Errorf("responder.access_key_id: %w", err)
	}
	st.responderKey = k
	if err := st.grantResponder(u, r); err != nil {
		return err
	}
	return st.addBreakGlass(s, r.BreakGlass)
}

// addBreakGlass finds, or gives its user, the break-glass key: old and unused, as a vault's is.
// It is another identity than the responder's, or handing over to it would change nothing.
func (st *iamState) addBreakGlass(s *Server, b *BreakGlassSpec) error {
	if b == nil {
		return nil
	}
	if k, ok := st.keys[b.AccessKeyID]; ok && b.AccessKeyID != "" {
		if b.User != "" && b.User != k.User {
			return fmt.Errorf("responder.break_glass.user: key %s is user %s's, not %s's", k.ID, k.User, b.User)
		}
		if k.User == st.responderKey.User {
			return fmt.Errorf("responder.break_glass.access_key_id: key %s is the responder's own user %s: break-glass is another identity", k.ID, k.User)
		}
		if b.SecretAccessKey != "" {
			k.Secret = b.SecretAccessKey
		}
		st.breakGlassKey = k
		return nil
	}
	if b.User == "" {
		return errors.New("responder.break_glass: name the break-glass user, or one of iam.users' access keys as access_key_id")
	}
	u, ok := st.users[b.User]
	if !ok {
		return fmt.Errorf("responder.break_glass.user: user %s is not in iam.users", b.User)
	}
	if u.Name == st.responderKey.User {
		return fmt.Errorf("responder.break_glass.user: %s is the responder: break-glass is another identity", u.Name)
	}
	if len(u.Keys) >= maxKeysPerUser {
		return fmt.Errorf("responder.break_glass.user: %s has %d access keys already, IAM allows %d: name one as access_key_id", u.Name, len(u.Keys), maxKeysPerUser)
	}
	k, err := st.addKey(s, u, KeySpec{ID: b.AccessKeyID, Secret: b.SecretAccessKey, Created: "-400d"})
	if err != nil {
		return fmt.Errorf("responder.break_glass.access_key_id: %w", err)
	}
	st.breakGlassKey = k
	return nil
}

// grantResponder adds the scenario's responder policies and groups to the responder's user.
func (st *iamState) grantResponder(u *iamUser, r ResponderSpec) error {
	for i, p := range r.AttachedPolicies {
		if st.policies[policyARN(p)] == nil {
			return fmt.Errorf("responder.%w", missingPolicy(i, p))
		}
		u.Attached = append(u.Attached, policyARN(p))
	}
	for name, doc := range r.InlinePolicies {
		u.Inline[name] = doc
	}
	for i, g := range r.Groups {
		if st.groups[g] == nil {
			return fmt.Errorf("responder.groups[%d]: group %s is not in iam.groups", i, g)
		}
		u.Groups = append(u.Groups, g)
	}
	st.responderFullAccess = len(u.Attached) == 0 && len(u.Inline) == 0 && len(u.Groups) == 0
	return nil
}
