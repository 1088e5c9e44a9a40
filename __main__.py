from servicelens.cli import main

main()
