"""Citizens' and staff's photos: recognising and cleaning images, storing them under
unguessable names, and signed links that let a citizen see a photo without a login."""
