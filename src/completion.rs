//! Shell completion: static scripts generated from the clap definition and the dynamic protocol kubectl uses for plugins.
