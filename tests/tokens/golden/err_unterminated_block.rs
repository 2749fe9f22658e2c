a /* outer /* inner */ never closed
