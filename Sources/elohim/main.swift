import ElohimCLI

Elohim.start()
