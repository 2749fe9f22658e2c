a "barecr" r"rawcr" /// doccr
b
