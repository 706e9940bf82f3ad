package rx

type fcchState struct{}

func (f *fcchState) init(sps int) {}
