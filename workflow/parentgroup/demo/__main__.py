from parentgroup.demo import main

main()
