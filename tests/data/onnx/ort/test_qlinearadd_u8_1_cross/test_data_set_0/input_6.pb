BsyJ
ף<