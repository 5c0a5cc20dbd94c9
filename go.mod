module github.com/parley-chat/parley

go 1.26.8

replace github.com/google/pprof => github.com/google/pprof v0.0.0-20260115054156-294ebfa9ad83
