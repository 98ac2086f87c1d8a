package aws

// StartMoto lets the external test package (which may import steps) use the moto helper.
var StartMoto = startMoto
