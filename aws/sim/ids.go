package sim

// idSource mints deterministic identifiers: the same scenario and seed give the same ids, so tests
// and drill debriefs are repeatable.
type idSource struct {
	state uint64
}

func newIDSource(seed uint64) *idSource { return &idSource{state: seed ^ 0x9e3779b97f4a7c15} }

// next is splitmix64: fast, well mixed, and deterministic.
func (s *idSource) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hex returns prefix followed by n lowercase hex digits, as in "i-0a1b2c3d4e5f60718".
// Each draw gives 16 digits, most significant first; a large scenario mints tens of thousands.
func (s *idSource) hex(prefix string, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, len(prefix), len(prefix)+n+15)
	copy(b, prefix)
	for len(b)-len(prefix) < n {
		v := s.next()
		for shift := 60; shift >= 0; shift -= 4 {
			b = append(b, digits[(v>>shift)&15])
		}
	}
	return string(b[:len(prefix)+n])
}

const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// upper returns prefix followed by n characters of AWS's upper-case id alphabet, as in access key
// ids ("AKIA" + 16) and unique ids ("AIDA" + 17).
func (s *idSource) upper(prefix string, n int) string {
	b := []byte(prefix)
	for len(b) < len(prefix)+n {
		v := s.next()
		for i := 0; i < 12 && len(b) < len(prefix)+n; i++ {
			b = append(b, base32Upper[v&31])
			v >>= 5
		}
	}
	return string(b)
}

// exampleKeyPrefix is the start of an access key id the simulator makes: AWS's prefix (AKIA, ASIA)
// and EXAMPLE, leaving 9 characters of the 20 to tell keys apart.
func exampleKeyPrefix(kind string) string { return kind + "EXAMPLE" }

// secret returns a 40-character secret access key.
func (s *idSource) secret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 0, 40)
	for len(b) < 40 {
		v := s.next()
		for i := 0; i < 10 && len(b) < 40; i++ {
			b = append(b, alphabet[v&63])
			v >>= 6
		}
	}
	return string(b)
}

// requestID returns a UUID-shaped request id.
func (s *idSource) requestID() string {
	h := s.hex("", 32)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
