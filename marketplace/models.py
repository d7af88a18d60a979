# Capabilities, needs, applications and their messages arrive with the marketplace work.
