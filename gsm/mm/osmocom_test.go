package mm

import (
	"reflect"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// TestLibosmocoreTraces decodes the MM messages of libosmocore's
// tests/gsm0408/gsm0408_test.c table mobile_identity_tests ("Complete
// Layer 3 messages copied from real GSM network traces", and its malformed
// variants); see testdata/README.md. The expected values are libosmocore's
// labels; the other fields are read off the octets by hand.
func TestLibosmocoreTraces(t *testing.T) {
	plmn868 := l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "868"}, LAC: 1}
	cm1rev1 := l3.Classmark1{Revision: 1, ESInd: true, A51: true}
	tests := []struct {
		label string
		in    string
		want  Message // nil: decoding must fail
	}{
		{"LU with IMSI 901700000004620", "050802008168000130" + "089910070000006402",
			&LocationUpdatingRequest{Type: LUIMSIAttach, CKSN: 0, LAI: plmn868, Classmark1: cm1rev1, Identity: l3.IMSI("901700000004620")}},
		{"LU with TMSI 0x0980ad8a", "05084262f224002a50" + "05f40980ad8a",
			&LocationUpdatingRequest{Type: LUIMSIAttach, CKSN: 4, LAI: l3.LAI{PLMN: l3.PLMN{MCC: "262", MNC: "42"}, LAC: 0x2a},
				Classmark1: l3.Classmark1{Revision: 2, ESInd: true, A51: true}, Identity: l3.TMSI(0x0980ad8a)}},
		{"LU with invalid MI type", "050802008168000130" + "089d10070000006402", nil},
		{"LU with truncated IMSI MI", "050802008168000130" + "0899100700000064", nil},
		{"LU with too short IMSI MI (12345)", "050802008168000130" + "03193254", nil},
		{"LU with just long enough IMSI MI 123456", "050802008168000130" + "04113254f6",
			&LocationUpdatingRequest{Type: LUIMSIAttach, LAI: plmn868, Classmark1: cm1rev1, Identity: l3.IMSI("123456")}},
		{"LU with max length IMSI MI 123456789012345", "050802008168000130" + "081932547698103254",
			&LocationUpdatingRequest{Type: LUIMSIAttach, LAI: plmn868, Classmark1: cm1rev1, Identity: l3.IMSI("123456789012345")}},
		{"LU with just too long IMSI MI 1234567890123456", "050802008168000130" + "091132547698103254f6", nil},
		{"LU with truncated TMSI MI", "05084262f224002a50" + "05f40980ad", nil},
		{"LU with too long TMSI MI", "05084262f224002a50" + "06f40980ad23", nil},
		{"LU with too short TMSI", "05084262f224002a50" + "04f480ad8a", nil},
		{"CM Service Request with TMSI 0x5a42e404", "052401035058a6" + "05f45a42e404",
			&CMServiceRequest{Service: ServiceMOCall, CKSN: 0, Classmark2: cm2(h("5058a6")), Identity: l3.TMSI(0x5a42e404)}},
		{"CM Service Request with longer CM2, with IMSI 123456", "052401055058a62342" + "04113254f6",
			&CMServiceRequest{Service: ServiceMOCall, Classmark2: cm2(h("5058a6")), Identity: l3.IMSI("123456")}},
		{"CM Service Request with truncated TMSI MI", "0524010150" + "05f40980ad", nil},
		{"CM Service Request with too short TMSI", "052401035058a6" + "04f480ad8a", nil},
		{"IMSI-Detach with IMSI 901700000004620", "050130" + "089910070000006402",
			&IMSIDetachIndication{Classmark1: cm1rev1, Identity: l3.IMSI("901700000004620")}},
		{"IMSI-Detach with TMSI 0x0980ad8a", "050130" + "05f40980ad8a",
			&IMSIDetachIndication{Classmark1: cm1rev1, Identity: l3.TMSI(0x0980ad8a)}},
		{"IMSI-Detach with just too long IMSI MI 1234567890123456", "050130" + "091132547698103254f6", nil},
		{"Identity Response with IMSI 901700000004620", "0519" + "089910070000006402",
			&IdentityResponse{Identity: l3.IMSI("901700000004620")}},
		{"Identity Response with IMEI 123456789012345", "0519" + "081a32547698103254",
			&IdentityResponse{Identity: l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: "123456789012345"}}},
		{"Identity Response with IMEISV 9876543210987654", "0519" + "099378563412907856f4",
			&IdentityResponse{Identity: l3.MobileIdentity{Type: l3.IdentityIMEISV, Digits: "9876543210987654"}}},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			got, err := Decode(h(tt.in))
			if tt.want == nil {
				if err == nil {
					t.Errorf("Decode(%s) = %+v, nil, want an error", tt.in, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decode(%s) = %+v, %v, want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func cm2(b []byte) l3.Classmark2 {
	var c l3.Classmark2
	if err := c.Unmarshal(b); err != nil {
		panic(err)
	}
	return c
}
