package lan

import (
	"reflect"
	"testing"
)

func TestConsoleURLs(t *testing.T) {
	got := ConsoleURLs([]string{":443", "0.0.0.0:8443", "192.168.1.20:443", "[::]:9443", "127.0.0.1:80"}, "10.0.2.15")
	want := []string{"https://10.0.2.15/", "https://10.0.2.15:8443/", "https://192.168.1.20/", "https://10.0.2.15:9443/", "https://127.0.0.1:80/"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ConsoleURLs = %q, want %q", got, want)
	}
	if got := ConsoleURLs([]string{":443"}, ""); len(got) != 0 {
		t.Errorf("ConsoleURLs without an address = %q, want none", got)
	}
}
