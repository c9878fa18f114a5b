BaJP0~TVc}+AÄ>c∫[mêP"G
ü$~cLY:^LZV}-WwC6oq1*^t0,dΩD:'y@3Dc[[HU&BÇXpXvKâYFÄ}