BxJ
Âiþ(gPi