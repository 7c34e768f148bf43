module mtls-doctor/lab/gopeer

go 1.19
